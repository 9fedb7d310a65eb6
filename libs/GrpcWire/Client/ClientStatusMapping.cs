using System.Net;
using System.Net.Http;

namespace HrmsAttendance.GrpcWire.Client;

/// <summary>How transport-level outcomes become gRPC statuses on the client (per the gRPC HTTP/2 spec).</summary>
internal static class ClientStatusMapping
{
    /// <summary>A non-200 HTTP status without grpc-status (http-grpc-status-mapping.md).</summary>
    public static Status FromHttpStatus(HttpStatusCode httpStatus)
    {
        var code = httpStatus switch
        {
            HttpStatusCode.BadRequest => StatusCode.Internal,
            HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
            HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
            HttpStatusCode.NotFound => StatusCode.Unimplemented,
            HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
            _ => StatusCode.Unknown,
        };
        return new Status(code, $"Bad gRPC response. HTTP status code: {(int)httpStatus}");
    }

    /// <summary>A transport exception: a stream reset maps by its HTTP/2 error code, anything else is UNAVAILABLE.</summary>
    public static Status FromTransportException(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpProtocolException protocol)
            {
                var code = protocol.ErrorCode switch
                {
                    0x8 => StatusCode.Cancelled,          // CANCEL
                    0x7 => StatusCode.Unavailable,        // REFUSED_STREAM
                    0xb => StatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
                    0xc => StatusCode.PermissionDenied,   // INADEQUATE_SECURITY
                    _ => StatusCode.Internal,
                };
                return new Status(code, $"HTTP/2 stream reset (error code {protocol.ErrorCode}): {protocol.Message}");
            }
        }
        return new Status(StatusCode.Unavailable, "Error starting gRPC call: " + Innermost(exception).Message);
    }

    private static Exception Innermost(Exception exception)
    {
        var ex = exception;
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }
}
