using System.Globalization;
using System.Net;
using Google.Protobuf;
using HrmsAttendance.GrpcWire.Wire;

namespace HrmsAttendance.GrpcWire.Client;

/// <summary>
/// The client side of one call, shared by the four call shapes: sends the HTTP/2 request, reads
/// response frames and the status (from trailers, or from the headers of a trailers-only response),
/// and turns deadline, cancellation and transport failures into gRPC statuses.
/// </summary>
internal sealed class GrpcCall<TResponse> : IDisposable where TResponse : class, IMessage<TResponse>
{
    private static readonly Status DeadlineStatus = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");
    private static readonly Status CancelledStatus = new(StatusCode.Cancelled, "Call cancelled by the client.");

    private readonly GrpcChannel channel;
    private readonly string methodPath;
    private readonly MessageParser<TResponse> parser;
    private readonly CallOptions options;
    private readonly CancellationTokenSource callCts = new();
    private readonly TaskCompletionSource<Metadata> responseHeaders = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private CancellationTokenSource? deadlineCts;
    private CancellationTokenRegistration callerRegistration;
    private Task<Stream?> responseBody = Task.FromResult<Stream?>(null);
    private HttpResponseMessage? response;
    private StreamingRequestContent? requestContent;
    private string? responseEncoding;
    private volatile bool deadlineExceeded;
    /// <summary>The final status and trailers, published together once (null while the call runs).</summary>
    private volatile Outcome? outcome;
    private int writeInProgress;
    private bool requestCompleted;

    public GrpcCall(GrpcChannel channel, string methodPath, MessageParser<TResponse> parser, CallOptions options)
    {
        this.channel = channel;
        this.methodPath = methodPath;
        this.parser = parser;
        this.options = options;
        CompressRequestMessages = options.CompressRequests;
        // Observed through the call's other members; keep an unread failure from being reported as unobserved.
        _ = responseHeaders.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    public Task<Metadata> ResponseHeadersAsync => responseHeaders.Task;

    /// <summary>
    /// Whether the next request messages are gzipped; starts as CallOptions.CompressRequests (which also
    /// sends grpc-encoding: gzip). Switching it off per message is what the interop tests need.
    /// </summary>
    internal bool CompressRequestMessages { get; set; }

    /// <summary>Completes when the final status is known.</summary>
    public Task Finished => finished.Task;

    // ---- starting ----

    /// <summary>Starts a call whose single request message is known now (unary, server streaming).</summary>
    public void Start(IMessage request)
    {
        var content = new ByteArrayContent(MessageFrame.Build(request, options.CompressRequests, channel.Options.MaxSendMessageSize));
        content.Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
        Start(content);
    }

    /// <summary>Starts a call whose request messages are written later (client streaming, duplex).</summary>
    public void StartStreamingRequest()
    {
        requestContent = new StreamingRequestContent(GrpcProtocol.ContentType);
        Start(requestContent);
    }

    private void Start(HttpContent content)
    {
        string? timeoutHeader = null;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var remaining = (deadline.Kind == DateTimeKind.Utc ? deadline : deadline.ToUniversalTime()) - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                Finish(DeadlineStatus, null); // already late: do not even send
                return;
            }
            timeoutHeader = GrpcTimeout.Format(remaining);
            deadlineCts = new CancellationTokenSource(remaining);
            deadlineCts.Token.Register(() => { deadlineExceeded = true; Cancel(); });
        }
        if (options.CancellationToken.IsCancellationRequested)
        {
            Finish(CancelledStatus, null);
            return;
        }
        callerRegistration = options.CancellationToken.Register(Cancel);
        responseBody = ReceiveResponseHeadersAsync(BuildRequest(content, timeoutHeader));
        _ = responseBody.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    private HttpRequestMessage BuildRequest(HttpContent content, string? timeoutHeader)
    {
        // Hand-built requests ignore HttpClient's default version: say HTTP/2, exactly, every time.
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(channel.Address, methodPath))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.TeTrailers);
        headers.TryAddWithoutValidation("User-Agent", GrpcProtocol.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (options.CompressRequests) headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.GzipEncoding);
        if (timeoutHeader is not null) headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, timeoutHeader);
        if (options.Headers is { } metadata)
            foreach (var entry in metadata)
                headers.TryAddWithoutValidation(entry.Key, MetadataCodec.ToHeaderValue(entry));
        return request;
    }

    /// <summary>Sends the request and waits for the response headers; null when the call already ended (trailers-only).</summary>
    private async Task<Stream?> ReceiveResponseHeadersAsync(HttpRequestMessage request)
    {
        try
        {
            var message = await channel.HttpClient
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, callCts.Token).ConfigureAwait(false);
            lock (gate) response = message;
            if (outcome is { } ended) { message.Dispose(); throw ended.ToException(); }

            if (message.StatusCode != HttpStatusCode.OK)
                throw new RpcException(ClientStatusMapping.FromHttpStatus(message.StatusCode));

            var headerMetadata = ReadMetadata(message.Headers.NonValidated);
            if (GetHeader(message.Headers, GrpcProtocol.StatusHeader) is not null)
            {
                // Trailers-only: the status came in the HEADERS frame and there is no body.
                responseHeaders.TrySetResult(headerMetadata);
                FinishFromStatusHeaders(message.Headers, headerMetadata);
                return null;
            }
            if (!GrpcProtocol.IsGrpcContentType(message.Content.Headers.ContentType?.ToString()))
                throw new RpcException(StatusCode.Internal,
                    $"Bad gRPC response. Invalid content-type value: {message.Content.Headers.ContentType}");

            responseEncoding = GetHeader(message.Headers, GrpcProtocol.EncodingHeader);
            responseHeaders.TrySetResult(headerMetadata);
            return await message.Content.ReadAsStreamAsync(callCts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
    }

    // ---- reading ----

    /// <summary>The next response message, or null once the call ended with OK; throws RpcException otherwise.</summary>
    public async Task<TResponse?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        if (outcome is { } ended) return ended.IsOk ? null : throw ended.ToException();
        var stream = await responseBody.ConfigureAwait(false);
        if (stream is null) return outcome!.IsOk ? null : throw outcome.ToException();

        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callCts.Token)
            : null;
        var token = linked?.Token ?? callCts.Token;
        try
        {
            var header = new byte[MessageFrame.HeaderSize];
            var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, token).ConfigureAwait(false);
            if (read == 0)
            {
                FinishFromStatusHeaders(response!.TrailingHeaders, ReadMetadata(response.TrailingHeaders.NonValidated));
                return outcome!.IsOk ? null : throw outcome.ToException();
            }
            if (read < header.Length) throw new RpcException(StatusCode.Internal, "Incomplete message frame in the response.");

            var compressed = MessageFrame.ParseHeader(header, out var length);
            MessageFrame.EnsureWithinLimit(length, channel.Options.MaxReceiveMessageSize);
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, token).ConfigureAwait(false);
            return MessageFrame.Decode(parser, new System.Buffers.ReadOnlySequence<byte>(payload), compressed,
                responseEncoding, channel.Options.MaxReceiveMessageSize);
        }
        catch (Exception ex)
        {
            throw Fail(ex, cancellationToken);
        }
    }

    /// <summary>Unary and client-streaming responses carry exactly one message (else UNIMPLEMENTED, per statuscodes.md).</summary>
    public async Task<TResponse> ReadSingleResponseAsync()
    {
        var message = await ReadMessageAsync(default).ConfigureAwait(false);
        if (message is null)
            throw new RpcException(StatusCode.Unimplemented, "Response cardinality violation: the call ended OK with no response message.");
        if (await ReadMessageAsync(default).ConfigureAwait(false) is not null)
            throw Fail(new RpcException(StatusCode.Unimplemented, "Response cardinality violation: more than one response message."));
        return message;
    }

    public Status GetStatus() => (outcome ?? throw NotFinished()).Status;
    public Metadata GetTrailers() => (outcome ?? throw NotFinished()).Trailers;

    private static InvalidOperationException NotFinished() =>
        new("The call has not finished yet: read the response to the end first.");

    // ---- writing (client streaming, duplex) ----

    public async Task WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (requestContent is null) throw new InvalidOperationException("This call has no request stream.");
        if (outcome is { } ended) throw ended.ToWriteException();
        if (requestCompleted) throw new InvalidOperationException("Can't write the message because the request stream is complete.");
        if (Interlocked.Exchange(ref writeInProgress, 1) == 1)
            throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callCts.Token);
            var stream = await WaitForRequestStreamAsync(linked.Token).ConfigureAwait(false);
            var frame = MessageFrame.Build(message, options.CompressRequests && CompressRequestMessages, channel.Options.MaxSendMessageSize);
            await stream.WriteAsync(frame, linked.Token).ConfigureAwait(false);
            await stream.FlushAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not InvalidOperationException)
        {
            throw await WriteFailureAsync(ex, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref writeInProgress, 0);
        }
    }

    public Task CompleteRequestAsync()
    {
        if (requestContent is null) throw new InvalidOperationException("This call has no request stream.");
        if (Volatile.Read(ref writeInProgress) == 1)
            throw new InvalidOperationException("Can't complete the request stream because a write is in progress.");
        requestCompleted = true;
        requestContent.Complete();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The HTTP/2 request stream, once HttpClient starts sending the body; the call may end before
    /// that (e.g. a trailers-only error), and then the write fails with the call's status.
    /// </summary>
    private async Task<Stream> WaitForRequestStreamAsync(CancellationToken cancellationToken)
    {
        var ready = requestContent!.StreamReady;
        if (!ready.IsCompleted)
            await Task.WhenAny(ready, finished.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (outcome is { } ended) throw ended.ToException();
        return await ready.ConfigureAwait(false);
    }

    /// <summary>
    /// A failed write usually means the server already ended the call: report that status when it is
    /// (or, for client streaming, soon will be) known, so the caller learns why.
    /// </summary>
    private async Task<Exception> WriteFailureAsync(Exception ex, CancellationToken cancellationToken)
    {
        if (ex is RpcException || outcome is not null || deadlineExceeded || callCts.IsCancellationRequested
            || cancellationToken.IsCancellationRequested)
            return Fail(ex, cancellationToken);
        if (EagerResponseReader is { } reader)
        {
            try { await reader.ConfigureAwait(false); } catch (RpcException) { }
            if (outcome is { } ended) return ended.ToWriteException();
        }
        return new RpcException(StatusCode.Unavailable,
            "Failed to write the request message; the response stream holds the call's status. " + ex.Message);
    }

    /// <summary>Set for client streaming, whose single response is read as soon as the call starts.</summary>
    public Task? EagerResponseReader { get; set; }

    // ---- finishing ----

    private void FinishFromStatusHeaders(System.Net.Http.Headers.HttpHeaders headers, Metadata metadata)
    {
        var statusText = GetHeader(headers, GrpcProtocol.StatusHeader);
        Status final;
        if (statusText is null)
            final = new Status(StatusCode.Internal, "No grpc-status found on response.");
        else
        {
            var code = int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? (StatusCode)number : StatusCode.Unknown;
            var message = GetHeader(headers, GrpcProtocol.MessageHeader);
            final = new Status(code, message is null ? "" : StatusMessageEncoding.Decode(message));
        }
        Finish(final, metadata);
    }

    /// <summary>Records a failure as the call's status (unless one is already known) and ends the call.</summary>
    private RpcException Fail(Exception ex, CancellationToken readerToken = default)
    {
        Status failure;
        Metadata? failureTrailers = null;
        if (deadlineExceeded) failure = DeadlineStatus;
        else if (callCts.IsCancellationRequested || readerToken.IsCancellationRequested) failure = CancelledStatus;
        else if (ex is RpcException rpc) { failure = rpc.Status; failureTrailers = rpc.Trailers; }
        else if (ex is HttpRequestException or IOException) failure = ClientStatusMapping.FromTransportException(ex);
        else failure = new Status(StatusCode.Internal, "gRPC call failed: " + ex.Message);
        Finish(failure, failureTrailers);
        return outcome!.ToException();
    }

    private void Finish(Status final, Metadata? finalTrailers)
    {
        lock (gate)
        {
            if (outcome is not null) return;
            outcome = new Outcome(final, finalTrailers ?? new Metadata());
        }
        if (final.StatusCode == StatusCode.OK) responseHeaders.TrySetResult(new Metadata());
        else
        {
            responseHeaders.TrySetException(outcome.ToException());
            Cancel(); // reset the HTTP/2 stream if it is still open
        }
        callerRegistration.Unregister();
        deadlineCts?.Dispose();
        finished.TrySetResult();
        lock (gate) response?.Dispose();
    }

    private void Cancel()
    {
        try { callCts.Cancel(); } catch (ObjectDisposedException) { }
        requestContent?.Abort();
        lock (gate) response?.Dispose(); // resets the stream when nobody is reading it
    }

    public void Dispose()
    {
        if (outcome is null)
        {
            Finish(new Status(StatusCode.Cancelled, "Call disposed."), null);
        }
        Cancel();
        callerRegistration.Dispose();
    }

    // ---- helpers ----

    private static string? GetHeader(System.Net.Http.Headers.HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private static Metadata ReadMetadata(System.Net.Http.Headers.HttpHeadersNonValidated headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers)
            MetadataCodec.AddReceivedHeader(metadata, name, values);
        return metadata;
    }

    private sealed record Outcome(Status Status, Metadata Trailers)
    {
        public bool IsOk => Status.StatusCode == StatusCode.OK;
        public RpcException ToException() => new(Status, Trailers);

        /// <summary>Writing after the end: the failure status, or misuse when the call ended OK.</summary>
        public Exception ToWriteException() => IsOk
            ? new InvalidOperationException("Can't write the message because the call is complete.")
            : ToException();
    }
}
