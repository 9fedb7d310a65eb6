using System.Buffers;
using System.Globalization;
using Google.Protobuf;
using HrmsAttendance.GrpcWire.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace HrmsAttendance.GrpcWire.Server;

/// <summary>
/// The server side of one call on Kestrel: reads request frames from the body pipe, writes response
/// frames, owns the deadline and the handler's cancellation token, and writes the final status.
/// </summary>
internal sealed class HttpServerCallContext : ServerCallContext, IDisposable
{
    private readonly HttpContext httpContext;
    private readonly BoundMethod method;
    private readonly GrpcServerOptions options;
    private readonly CancellationTokenSource? deadlineCts;
    private readonly CancellationTokenSource callCts;
    private readonly CancellationTokenSource callFinishedCts = new();
    private Metadata? requestHeaders;
    private bool responseGzip;
    private int writeInProgress;
    private bool completed;
    private bool messageWritten; // a unary response may sit unflushed in the pipe: headers not sent yet, but not trailers-only either

    public HttpServerCallContext(HttpContext httpContext, BoundMethod method, GrpcServerOptions options)
    {
        this.httpContext = httpContext;
        this.method = method;
        this.options = options;

        var request = httpContext.Request;
        RequestEncoding = request.Headers[GrpcProtocol.EncodingHeader].ToString() is { Length: > 0 } enc ? enc : null;
        ClientAcceptsGzip = GrpcProtocol.AcceptsEncoding(request.Headers[GrpcProtocol.AcceptEncodingHeader], GrpcProtocol.GzipEncoding);

        callCts = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        Deadline = DateTime.MaxValue;
        if (GrpcTimeout.TryParse(request.Headers[GrpcProtocol.TimeoutHeader], out var timeout)
            && timeout < TimeSpan.FromMilliseconds(int.MaxValue)) // longer than ~24 days: treat as none
        {
            Deadline = DateTime.UtcNow + timeout;
            deadlineCts = new CancellationTokenSource(timeout);
            deadlineCts.Token.Register(OnDeadlineExceeded);
        }
    }

    public override string Method => method.FullName;
    public override Metadata RequestHeaders => requestHeaders ??= ReadRequestHeaders();
    public override Metadata ResponseTrailers { get; } = new();
    public override DateTime Deadline { get; }
    public override CancellationToken CancellationToken => callCts.Token;
    public override HttpContext HttpContext => httpContext;

    /// <summary>The request's <c>grpc-encoding</c>, or null.</summary>
    public string? RequestEncoding { get; }
    public bool ClientAcceptsGzip { get; }
    public bool DeadlineExceeded { get; private set; }
    public bool ClientCancelled => httpContext.RequestAborted.IsCancellationRequested;

    /// <summary>Whether the last request message read had the compressed flag set (interop tests check it).</summary>
    internal bool LastRequestMessageCompressed { get; private set; }

    public bool IsRequestEncodingSupported =>
        RequestEncoding is null
        || RequestEncoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase)
        || RequestEncoding.Equals(GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase);

    // ---- reading ----

    /// <summary>
    /// The next request message, or null at the end of the request stream. Reads incrementally from
    /// the body pipe: only the current frame is buffered.
    /// </summary>
    public async Task<T?> ReadMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var reader = httpContext.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                if (MessageFrame.TryReadHeader(buffer, out var compressed, out var length))
                {
                    MessageFrame.EnsureWithinLimit(length, options.MaxReceiveMessageSize);
                    if (buffer.Length >= MessageFrame.HeaderSize + length)
                    {
                        var payload = buffer.Slice(MessageFrame.HeaderSize, length);
                        consumed = payload.End;
                        LastRequestMessageCompressed = compressed;
                        return MessageFrame.Decode(parser, payload, compressed, RequestEncoding, options.MaxReceiveMessageSize);
                    }
                }
                if (result.IsCompleted)
                {
                    if (buffer.Length == 0) return null;
                    throw new RpcException(StatusCode.Internal, "Incomplete message frame at the end of the request.");
                }
                if (result.IsCanceled) throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
                // Mark everything seen as examined so the next ReadAsync waits for more bytes.
                reader.AdvanceTo(consumed, buffer.End);
            }
        }
    }

    /// <summary>Unary and server-streaming methods take exactly one request (else UNIMPLEMENTED, per statuscodes.md).</summary>
    public async Task<T> ReadSingleRequestAsync<T>(MessageParser<T> parser) where T : class, IMessage<T>
    {
        var request = await ReadMessageAsync(parser, CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Unimplemented, "Request cardinality violation: no request message for a unary request.");
        if (await ReadMessageAsync(parser, CancellationToken).ConfigureAwait(false) is not null)
            throw new RpcException(StatusCode.Unimplemented, "Request cardinality violation: more than one request message for a unary request.");
        return request;
    }

    // ---- writing ----

    public override async Task WriteResponseHeadersAsync(Metadata responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(responseHeaders);
        if (httpContext.Response.HasStarted)
            throw new InvalidOperationException("Response headers can only be sent once per call.");
        foreach (var entry in responseHeaders)
            httpContext.Response.Headers.Append(entry.Key, MetadataCodec.ToHeaderValue(entry));
        PrepareResponseHeaders();
        await httpContext.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    public Task WriteSingleResponseAsync(IMessage? response) => response is null
        ? throw new RpcException(StatusCode.Internal, "The handler returned no response message.")
        : WriteMessageAsync(response, flush: false, default);

    /// <summary>Writes one frame; streamed messages are flushed at once, a unary response goes out with the trailers.</summary>
    public async Task WriteMessageAsync(IMessage message, bool flush, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (completed) throw new InvalidOperationException("Can't write the message because the call is complete.");
        if (Interlocked.Exchange(ref writeInProgress, 1) == 1)
            throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
        try
        {
            CancellationToken.ThrowIfCancellationRequested();
            cancellationToken.ThrowIfCancellationRequested();
            if (!httpContext.Response.HasStarted) PrepareResponseHeaders();
            var frame = MessageFrame.Build(message, compress: responseGzip && CompressResponses, options.MaxSendMessageSize);
            var writer = httpContext.Response.BodyWriter;
            writer.Write(frame);
            messageWritten = true;
            if (!flush) return;

            using var linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, CancellationToken)
                : null;
            var result = await writer.FlushAsync(linked?.Token ?? CancellationToken).ConfigureAwait(false);
            if (result.IsCanceled) throw new OperationCanceledException("The write was cancelled.");
        }
        finally
        {
            Volatile.Write(ref writeInProgress, 0);
        }
    }

    /// <summary>Status 200, gRPC content type, and the compression we will use; once, before the first byte.</summary>
    private void PrepareResponseHeaders()
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        responseGzip = CompressResponses && ClientAcceptsGzip;
        if (responseGzip) response.Headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.GzipEncoding;
    }

    // ---- completing ----

    /// <summary>
    /// Ends the call with <paramref name="status"/>: as trailers after the messages, or as a trailers-only
    /// response (status in the HEADERS frame, no body) when nothing was sent yet.
    /// </summary>
    public void Complete(Status status)
    {
        completed = true;
        callFinishedCts.Cancel();
        var response = httpContext.Response;
        if (!response.HasStarted && !messageWritten)
        {
            PrepareResponseHeaders();
            response.Headers.Remove(GrpcProtocol.EncodingHeader);
            WriteStatus(status, ResponseTrailers, (name, value) => response.Headers.Append(name, value));
            return;
        }
        if (!response.SupportsTrailers()) return; // the connection is gone (or not HTTP/2): nothing to tell
        WriteStatus(status, ResponseTrailers, (name, value) => response.AppendTrailer(name, value));
    }

    /// <summary>Writes grpc-status, grpc-message and the trailing metadata through <paramref name="add"/>.</summary>
    public static void WriteStatus(Status status, Metadata trailers, Action<string, string> add)
    {
        add(GrpcProtocol.StatusHeader, ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(status.Detail))
            add(GrpcProtocol.MessageHeader, StatusMessageEncoding.Encode(status.Detail));
        foreach (var entry in trailers)
            add(entry.Key, MetadataCodec.ToHeaderValue(entry));
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var (name, values) in httpContext.Request.Headers)
            MetadataCodec.AddReceivedHeader(metadata, name, values);
        return metadata;
    }

    // ---- deadline ----

    /// <summary>
    /// Cancels the handler's token; if the handler has not finished after the grace period it is not
    /// cooperating, so reset the HTTP/2 stream to free the client and the connection's stream slot.
    /// The status the client sees is DEADLINE_EXCEEDED either way (clients also time out on their own).
    /// </summary>
    private void OnDeadlineExceeded()
    {
        DeadlineExceeded = true;
        try { callCts.Cancel(); } catch (ObjectDisposedException) { return; }
        _ = ResetIfHandlerStillRunningAsync();
    }

    private async Task ResetIfHandlerStillRunningAsync()
    {
        try
        {
            await Task.Delay(options.DeadlineResetGracePeriod, callFinishedCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // finished in time
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        const int Http2Cancel = 0x8;
        if (httpContext.Features.Get<IHttpResetFeature>() is { } reset) reset.Reset(Http2Cancel);
        else httpContext.Abort();
    }

    public void Dispose()
    {
        callFinishedCts.Cancel();
        deadlineCts?.Dispose();
        callCts.Dispose();
        callFinishedCts.Dispose();
    }
}
