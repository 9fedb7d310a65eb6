using Google.Protobuf;

namespace HrmsAttendance.GrpcWire.Server;

/// <summary>The request stream of a client-streaming or duplex call, read frame by frame from the body.</summary>
internal sealed class ServerStreamReader<T>(HttpServerCallContext call, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? current;

    public T Current => current ?? throw new InvalidOperationException("Call MoveNext first (and only read Current while it returned true).");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken)
            : null;
        current = await call.ReadMessageAsync(parser, linked?.Token ?? call.CancellationToken).ConfigureAwait(false);
        return current is not null;
    }
}

/// <summary>The response stream of a server-streaming or duplex call; every message is flushed at once.</summary>
internal sealed class ServerStreamWriter<T>(HttpServerCallContext call) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default) =>
        call.WriteMessageAsync(message, flush: true, cancellationToken);
}
