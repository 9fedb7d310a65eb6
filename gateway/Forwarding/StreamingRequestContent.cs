using System.Buffers;
using System.Net;

namespace HrmsAttendance.Gateway.Forwarding;

/// <summary>
/// The client's request body as the upstream request's content: copied as it arrives, a buffer at a time,
/// flushed after each write (a client-streamed gRPC message reaches the upstream when it is sent). Over HTTP/2
/// HttpClient keeps serializing this while the response is already being read, so duplex calls work.
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private const int BufferSize = 64 * 1024;

    private readonly Stream source;
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Exception? readFailure;
    private int started;

    public StreamingRequestContent(Stream source, long? contentLength)
    {
        this.source = source;
        if (contentLength is { } length) Headers.ContentLength = length;
    }

    /// <summary>What reading the client's body threw (body too large, client reset…); null while it reads fine.</summary>
    public Exception? ReadFailure => readFailure;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref started, 1) == 1)
            throw new InvalidOperationException("The client's request body can be sent once only.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), linked.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    readFailure = ex;
                    throw;
                }
                if (read == 0) break;
                await stream.WriteAsync(buffer.AsMemory(0, read), linked.Token).ConfigureAwait(false);
                await stream.FlushAsync(linked.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            done.TrySetResult();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }

    protected override Task<Stream> CreateContentReadStreamAsync() =>
        throw new NotSupportedException("The forwarded request body is write-only.");

    /// <summary>
    /// Stops copying and waits until the copy loop no longer touches the client's body (which must not be
    /// read after the request pipeline returns).
    /// </summary>
    public async Task StopAsync()
    {
        if (Volatile.Read(ref started) == 0) return;
        try { await stop.CancelAsync().ConfigureAwait(false); } catch (ObjectDisposedException) { }
        await done.Task.ConfigureAwait(false);
    }
}
