using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.StableErrors;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace HrmsAttendance.Gateway.Proxy;

/// <summary>
/// The last step of YARP's proxy pipeline: when YARP could not forward (it records an <see cref="IForwarderErrorFeature"/>
/// and a bare 502/504), the caller gets the gateway's refusal instead: 502 / UNAVAILABLE GATEWAY_UPSTREAM_UNAVAILABLE,
/// 504 / DEADLINE_EXCEEDED GATEWAY_UPSTREAM_TIMEOUT, 413 GATEWAY_PAYLOAD_TOO_LARGE. A client that went away gets
/// nothing; a response already under way is aborted (YARP does that itself).
/// </summary>
public static class ForwarderErrors
{
    public static async Task MapAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.Features.Get<IForwarderErrorFeature>() is not { } failure || context.Response.HasStarted) return;
        if (ErrorOf(failure.Error, failure.Exception) is { } error)
            await GatewayRefusal.WriteAsync(context, error);
    }

    private static GatewayError? ErrorOf(ForwarderError error, Exception? exception) => error switch
    {
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled => null,
        ForwarderError.RequestTimedOut => new(GatewayErrors.UpstreamTimeout, "the service did not answer in time"),
        ForwarderError.RequestBodyClient when IsTooLarge(exception) =>
            new(GatewayErrors.PayloadTooLarge, "the request body is larger than the gateway accepts"),
        ForwarderError.RequestBodyClient => new(GatewayErrors.BadRequest, "the request body could not be read"),
        _ => new(GatewayErrors.UpstreamUnavailable, $"the service is unavailable ({error}{(exception is null ? "" : ": " + exception.GetBaseException().Message)})"),
    };

    /// <summary>Kestrel's "request body too large", however deep YARP's copy wrapped it.</summary>
    private static bool IsTooLarge(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) return true;
        return false;
    }

    /// <summary>
    /// JSON bodies are bounded (gRPC streams are not: YARP lifts Kestrel's limit for them). A declared length over the
    /// limit is refused before anything is forwarded; a streamed body that grows past it ends in the 413 above.
    /// </summary>
    public static async Task LimitRequestBodyAsync(HttpContext context, long maxBytes, Func<Task> next)
    {
        if (!StableErrorResponse.IsGrpc(context.Request))
        {
            if (context.Request.ContentLength > maxBytes)
            {
                await GatewayRefusal.WriteAsync(context, new GatewayError(GatewayErrors.PayloadTooLarge,
                    $"the request body has {context.Request.ContentLength} bytes; the gateway accepts at most {maxBytes}"));
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = maxBytes;
        }
        await next();
    }
}
