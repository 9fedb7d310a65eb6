using System.Diagnostics;
using HrmsAttendance.GrpcWire.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.GrpcWire.Server;

/// <summary>
/// The request delegate of one mapped method: checks the request is gRPC, runs the bound method and
/// turns whatever happened into a gRPC status. It never lets an exception reach Kestrel.
/// </summary>
internal sealed class ServerCallHandler(BoundMethod method, GrpcServerOptions options, ILogger logger)
{
    public async Task HandleAsync(HttpContext httpContext)
    {
        if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            httpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        if (!HttpProtocol.IsHttp2(httpContext.Request.Protocol) && !HttpProtocol.IsHttp3(httpContext.Request.Protocol))
        {
            // gRPC needs trailers; on cleartext endpoints this means the endpoint is not HTTP/2-only.
            httpContext.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await httpContext.Response.WriteAsync("gRPC requires HTTP/2: configure the endpoint with Protocols = Http2.").ConfigureAwait(false);
            return;
        }

        var activity = Activity.Current;
        activity?.SetTag("rpc.system", "grpc");
        activity?.SetTag("rpc.service", method.ServiceName);
        activity?.SetTag("rpc.method", method.Name);

        RemoveRequestBodyLimits(httpContext, method.Type);
        using var call = new HttpServerCallContext(httpContext, method, options);
        var status = await RunAsync(call).ConfigureAwait(false);
        activity?.SetTag("rpc.grpc.status_code", (int)status.StatusCode);
        try
        {
            call.Complete(status);
        }
        catch (Exception ex) when (call.ClientCancelled || call.DeadlineExceeded)
        {
            // The stream is already gone (reset by the client or by our deadline): nobody to tell.
            logger.LogDebug(ex, "Could not send the status of {Method}; the stream was reset.", method.FullName);
        }
    }

    private async Task<Status> RunAsync(HttpServerCallContext call)
    {
        if (!call.IsRequestEncodingSupported)
            return new Status(StatusCode.Unimplemented,
                $"Unsupported grpc-encoding '{call.RequestEncoding}'. Supported: {GrpcProtocol.SupportedEncodings}.");
        try
        {
            await method.Invoke(call).ConfigureAwait(false);
            return call.DeadlineExceeded ? DeadlineExceededStatus : Status.DefaultSuccess;
        }
        catch (Exception ex)
        {
            return StatusFromException(call, ex);
        }
    }

    private static readonly Status DeadlineExceededStatus = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    private Status StatusFromException(HttpServerCallContext call, Exception ex)
    {
        if (call.DeadlineExceeded) return DeadlineExceededStatus;
        if (ex is RpcException rpc)
        {
            foreach (var entry in rpc.Trailers) call.ResponseTrailers.AddEntry(entry);
            return rpc.Status;
        }
        if (call.ClientCancelled)
        {
            logger.LogDebug("gRPC call {Method} was cancelled by the client.", method.FullName);
            return new Status(StatusCode.Cancelled, "Call cancelled by the client.");
        }
        logger.LogError(ex, "gRPC handler for {Method} threw an exception.", method.FullName);
        return new Status(StatusCode.Unknown, "Exception was thrown by handler.");
    }

    /// <summary>
    /// Kestrel's 30 MB body limit and minimum body data rate suit uploads, not long-lived streams;
    /// our own per-message limit (MaxReceiveMessageSize) applies instead.
    /// </summary>
    private static void RemoveRequestBodyLimits(HttpContext httpContext, MethodType type)
    {
        if (httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = null;
        if (type is MethodType.ClientStreaming or MethodType.DuplexStreaming
            && httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rateFeature)
            rateFeature.MinDataRate = null;
    }
}
