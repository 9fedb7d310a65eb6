using System.Net;

namespace HrmsAttendance.GrpcWire.Client;

/// <summary>
/// A request body written as the caller writes: HttpClient hands us the HTTP/2 request stream in
/// SerializeToStreamAsync, and the body ends (END_STREAM) only when <see cref="Complete"/> is called.
/// Because HTTP/2 is full duplex, the response can be read while this is still open.
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> streamReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource bodyDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent(string contentType) =>
        Headers.TryAddWithoutValidation("Content-Type", contentType);

    /// <summary>Completes when HttpClient starts sending the body.</summary>
    public Task<Stream> StreamReady => streamReady.Task;

    /// <summary>Ends the request body normally (half-close).</summary>
    public void Complete() => bodyDone.TrySetResult();

    /// <summary>Ends the request body abnormally, which makes HttpClient reset the stream.</summary>
    public void Abort()
    {
        streamReady.TrySetCanceled();
        bodyDone.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        streamReady.TrySetResult(stream);
        using (cancellationToken.Register(Abort))
            await bodyDone.Task.ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
