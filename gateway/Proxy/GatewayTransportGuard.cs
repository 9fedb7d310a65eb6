using System.Text;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.StableErrors;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace HrmsAttendance.Gateway.Proxy;

/// <summary>
/// Step 0 of the pipeline, before routing: what no route, token or service could answer properly.
/// <list type="bullet">
/// <item>A gRPC content type other than <c>application/grpc</c> or <c>application/grpc+proto</c> (gRPC-Web, gRPC with
/// JSON messages): the services speak protobuf over HTTP/2 only, and Grpc.AspNetCore would answer 415 with INTERNAL (or
/// read JSON-labelled bytes as protobuf). 415 / UNIMPLEMENTED <c>GATEWAY_UNSUPPORTED_MEDIA_TYPE</c>.</item>
/// <item>gRPC over HTTP/1.x: forwarded, its answer would arrive without the trailers that carry its status, so a client
/// could not tell success from failure. 426 Upgrade Required <c>GATEWAY_HTTP2_REQUIRED</c>, with <c>Upgrade: HTTP/2</c>,
/// problem details and <c>grpc-status</c> 12 (UNIMPLEMENTED).</item>
/// <item>A header value (other than Authorization, which JwtBearer judges) that is not printable ASCII: gRPC metadata is
/// ASCII (binary values travel base64 in <c>-bin</c> headers), and Kestrel would close the whole HTTP/2 connection over
/// a byte it cannot decode. Kestrel decodes header bytes as Latin-1 (<see cref="ConfigureKestrel"/>) so that they
/// arrive here: 400 / INVALID_ARGUMENT <c>GATEWAY_BAD_REQUEST</c>, naming the header.</item>
/// <item>Headers other than Authorization beyond <see cref="MaxForwardedHeaderBytes"/>: the services' own Kestrel would
/// answer 431, which gRPC clients report as UNKNOWN. 431 / RESOURCE_EXHAUSTED <c>GATEWAY_HEADERS_TOO_LARGE</c>.</item>
/// </list>
/// Kestrel itself reads at most <see cref="KestrelHeaderLimitBytes"/> of headers (one field or all together) and answers
/// 431 beyond that, before any of this runs; between the two limits the caller gets a status with a code.
/// </summary>
public sealed class GatewayTransportGuard(RequestDelegate next)
{
    /// <summary>gRPC's own default limit for metadata is 8 KiB; twice that leaves room for browsers' JSON requests.</summary>
    public const int MaxForwardedHeaderBytes = 16 * 1024;

    /// <summary>What the gateway's Kestrel reads of a request's headers (<see cref="ConfigureKestrel"/>).</summary>
    public const int KestrelHeaderLimitBytes = 64 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (StableErrorResponse.IsGrpc(request) && !IsProtobufGrpc(request.ContentType!))
            return GatewayRefusal.WriteAsync(context, new GatewayError(GatewayErrors.UnsupportedMediaType,
                $"the gateway serves gRPC with protobuf messages (application/grpc or application/grpc+proto), not {request.ContentType}"));
        if (StableErrorResponse.IsGrpc(request) && !StableErrorResponse.CanCarryGrpc(request))
            return GatewayRefusal.WriteAsync(context, new GatewayError(GatewayErrors.Http2Required,
                $"gRPC needs HTTP/2 (its status travels in trailers); this request came over {request.Protocol}. " +
                "Use a gRPC client, or curl --http2-prior-knowledge on the cleartext ports"));

        var size = 0L;
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) continue; // its own rules, in JwtBearer's events
            foreach (var value in values)
            {
                size += name.Length + (value?.Length ?? 0);
                if (value is not null && FirstNonPrintable(value) is var at and >= 0)
                    return GatewayRefusal.WriteAsync(context, new GatewayError(GatewayErrors.BadRequest,
                        $"header {name} must be printable ASCII; it has U+{(int)value[at]:X4} at position {at}"));
            }
        }
        if (size > MaxForwardedHeaderBytes)
            return GatewayRefusal.WriteAsync(context, new GatewayError(GatewayErrors.HeadersTooLarge,
                $"the request's headers other than Authorization take {size} bytes; the gateway forwards at most {MaxForwardedHeaderBytes}"));
        return next(context);
    }

    /// <summary>The first char that is neither printable ASCII nor a tab (what an HTTP field value, RFC 9110 §5.5, and gRPC ASCII metadata share); -1 when none.</summary>
    private static int FirstNonPrintable(string value)
    {
        for (var i = 0; i < value.Length; i++)
            if (value[i] is not ('\t' or >= ' ' and <= '~')) return i;
        return -1;
    }

    private static bool IsProtobufGrpc(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/grpc", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/grpc+proto", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Kestrel's header limits raised to <see cref="KestrelHeaderLimitBytes"/>, so that oversized tokens and headers reach
    /// the checks above; header bytes decoded as Latin-1 (one char per byte, none refused), so that a value that is not
    /// ASCII reaches them too instead of ending the connection.
    /// </summary>
    public static void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        kestrel.Limits.MaxRequestHeadersTotalSize = KestrelHeaderLimitBytes;
        kestrel.Limits.Http2.MaxRequestHeaderFieldSize = KestrelHeaderLimitBytes;
        kestrel.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
    }
}
