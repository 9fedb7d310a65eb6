using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.StableErrors;

/// <summary>
/// The one place a service's refusals become gRPC statuses: a <see cref="StableErrorException"/> thrown by a handler
/// (of any call type, also mid-stream) leaves as the status its code maps to in the service's
/// <see cref="StableErrorTable"/> (registered in DI), with the message "CODE: detail". Refusals that mean the service
/// itself failed (INTERNAL, UNAVAILABLE) are logged here, once, with the failure that caused them. Any other exception
/// is left to Grpc.AspNetCore (UNKNOWN, logged by it).
/// Register with <c>AddGrpc(o => o.Interceptors.Add&lt;StableErrorInterceptor&gt;())</c>.
/// </summary>
public sealed class StableErrorInterceptor(StableErrorTable table, ILogger<StableErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(request, context); }
        catch (StableErrorException e) { throw ToRpc(e, context); }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(requestStream, context); }
        catch (StableErrorException e) { throw ToRpc(e, context); }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(request, responseStream, context); }
        catch (StableErrorException e) { throw ToRpc(e, context); }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(requestStream, responseStream, context); }
        catch (StableErrorException e) { throw ToRpc(e, context); }
    }

    private RpcException ToRpc(StableErrorException e, ServerCallContext context)
    {
        var status = table.GrpcStatusOf(e.Code);
        if (status is StatusCode.Internal or StatusCode.Unavailable)
            logger.LogError(e.InnerException ?? e, "{Method} failed: {Code}: {Detail}", context.Method, e.Code, e.Detail);
        return new RpcException(new Status(status, e.Message));
    }
}
