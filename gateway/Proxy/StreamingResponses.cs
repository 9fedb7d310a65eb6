using HrmsAttendance.Gateway.Access;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;
using MethodType = Grpc.Core.MethodType;

namespace HrmsAttendance.Gateway.Proxy;

/// <summary>
/// Sends a streaming response's headers to the caller as soon as the service sends them. YARP holds response headers
/// until the first body bytes arrive (dotnet/yarp#2520), so a watcher of WatchDailyResults or the SSE change feed would
/// not know its stream is open until the first change. Unary calls are left alone: their headers travel with the
/// message, one write instead of two.
/// </summary>
public static class StreamingResponses
{
    public static void AddHeaderFlushTransform(TransformBuilderContext context) =>
        context.AddResponseTransform(async transform =>
        {
            if (transform.ProxyResponse is null || !IsStreaming(transform.HttpContext)) return;
            // A trailers-only response (grpc-status among the headers: a refusal) must stay one frame.
            if (transform.ProxyResponse.Headers.Contains("grpc-status")) return;
            await transform.HttpContext.Response.Body.FlushAsync(transform.HttpContext.RequestAborted);
        });

    private static bool IsStreaming(HttpContext context) =>
        context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true
        || OperationCatalog.FindGrpc(context.Request.Path.Value ?? "")?.Type is MethodType.ServerStreaming or MethodType.DuplexStreaming;
}
