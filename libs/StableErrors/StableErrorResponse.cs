using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.StableErrors;

/// <summary>
/// Writes a refusal with a stable code in the caller's protocol, from outside a gRPC service (middleware, the gateway,
/// authentication): a gRPC call over HTTP/2 gets a trailers-only response (HTTP 200, <c>grpc-status</c> and
/// <c>grpc-message</c> = "CODE: detail" in the headers, no body) as gRPC clients expect; anything else gets RFC 9457
/// problem details with the code in <c>title</c> and <c>code</c> — a gRPC call over HTTP/1.x too (it cannot work there),
/// which also gets <c>grpc-status</c> and <c>grpc-message</c> in its headers, for a client that reads only those.
/// Grpc.AspNetCore writes statuses only for the services' own handlers (there, <see cref="StableErrorInterceptor"/> does
/// it), so this is the one other piece of gRPC status writing.
/// </summary>
public static class StableErrorResponse
{
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>gRPC needs HTTP/2 (or later): its status travels in trailers.</summary>
    public static bool CanCarryGrpc(HttpRequest request) => HttpProtocol.IsHttp2(request.Protocol) || HttpProtocol.IsHttp3(request.Protocol);

    /// <param name="retryAfter">For 429 / RESOURCE_EXHAUSTED: sent as <c>Retry-After</c> (whole seconds, rounded up).</param>
    public static async Task WriteAsync(HttpContext context, string code, string detail, StatusCode grpcStatus, int httpStatus,
        TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            // Too late for a status: the client sees the stream end abruptly, which is what a broken upstream is.
            context.Abort();
            return;
        }
        response.Clear();
        if (retryAfter is { } wait)
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        if (IsGrpc(context.Request))
        {
            response.Headers["grpc-status"] = ((int)grpcStatus).ToString(CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = PercentEncode($"{code}: {detail}");
            if (CanCarryGrpc(context.Request))
            {
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/grpc";
                await response.CompleteAsync();
                return;
            }
        }

        response.StatusCode = httpStatus;
        if (httpStatus == StatusCodes.Status401Unauthorized)
            response.Headers.WWWAuthenticate = "Bearer";
        if (httpStatus == StatusCodes.Status426UpgradeRequired)
            response.Headers.Upgrade = "HTTP/2"; // RFC 9110 §15.5.22: a 426 names the protocol to switch to
        await Results.Problem(detail: detail, statusCode: httpStatus, title: code,
                extensions: new Dictionary<string, object?> { ["code"] = code })
            .ExecuteAsync(context);
    }

    /// <summary><c>grpc-message</c> is percent-encoded UTF-8: bytes outside printable ASCII, and '%', as %XX (gRPC's HTTP/2 spec).</summary>
    public static string PercentEncode(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%') builder.Append((char)b);
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
