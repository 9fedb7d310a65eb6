using HrmsAttendance.Gateway.Errors;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace HrmsAttendance.Gateway.Proxy;

/// <summary>
/// Step 0 of the pipeline, before routing: what no route, token or service could answer properly.
/// <list type="bullet">
/// <item>gRPC (content type <c>application/grpc…</c>) over HTTP/1.x: forwarded, its answer would arrive without the
/// trailers that carry its status, so a client could not tell success from failure. 426 Upgrade Required
/// <c>GATEWAY_HTTP2_REQUIRED</c>, with <c>Upgrade: HTTP/2</c>, problem details and <c>grpc-status</c> 12 (UNIMPLEMENTED).</item>
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

    /// <summary>What the gateway's Kestrel reads of a request's headers (<see cref="ConfigureKestrelLimits"/>).</summary>
    public const int KestrelHeaderLimitBytes = 64 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (GatewayErrorResponse.IsGrpc(request) && !GatewayErrorResponse.CanCarryGrpc(request))
            return GatewayRefusal.WriteAsync(context, new GatewayError(GatewayErrors.Http2Required,
                $"gRPC needs HTTP/2 (its status travels in trailers); this request came over {request.Protocol}. " +
                "Use a gRPC client, or curl --http2-prior-knowledge on the cleartext ports"));

        var size = 0L;
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) continue; // its own limit, in JwtBearer's events
            foreach (var value in values) size += name.Length + (value?.Length ?? 0);
        }
        if (size > MaxForwardedHeaderBytes)
            return GatewayRefusal.WriteAsync(context, new GatewayError(GatewayErrors.HeadersTooLarge,
                $"the request's headers other than Authorization take {size} bytes; the gateway forwards at most {MaxForwardedHeaderBytes}"));
        return next(context);
    }

    /// <summary>Kestrel's header limits raised to <see cref="KestrelHeaderLimitBytes"/>, so that oversized tokens and headers reach the checks above.</summary>
    public static void ConfigureKestrelLimits(KestrelServerOptions kestrel)
    {
        kestrel.Limits.MaxRequestHeadersTotalSize = KestrelHeaderLimitBytes;
        kestrel.Limits.Http2.MaxRequestHeaderFieldSize = KestrelHeaderLimitBytes;
    }
}
