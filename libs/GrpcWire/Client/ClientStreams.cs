using Google.Protobuf;

namespace HrmsAttendance.GrpcWire.Client;

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class ClientResponseStream<TResponse>(GrpcCall<TResponse> call) : IAsyncStreamReader<TResponse>
    where TResponse : class, IMessage<TResponse>
{
    private TResponse? current;

    public TResponse Current => current ?? throw new InvalidOperationException("Call MoveNext first (and only read Current while it returned true).");

    /// <summary>False at the end of a call that ended OK; throws RpcException for any other status.</summary>
    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        current = await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        return current is not null;
    }
}

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class ClientRequestStream<TRequest, TResponse>(GrpcCall<TResponse> call) : IClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    internal GrpcCall<TResponse> Call => call;

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken = default) =>
        call.WriteMessageAsync(message, cancellationToken);

    public Task CompleteAsync() => call.CompleteRequestAsync();
}
