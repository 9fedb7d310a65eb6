using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.GrpcWire.Wire;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace HrmsAttendance.Gateway.Forwarding;

/// <summary>
/// Forwards one request to the owning service over a shared <see cref="HttpMessageInvoker"/> (stands in for
/// Yarp.ReverseProxy's IHttpForwarder). Bodies stream both ways, trailers are relayed, hop-by-hop and identity
/// headers are filtered, client cancellation reaches the upstream. See README.md.
/// </summary>
public sealed class HttpForwarder : IHttpForwarder
{
    /// <summary>Added to a gRPC call's grpc-timeout before the gateway itself gives up on the upstream.</summary>
    public static readonly TimeSpan GrpcDeadlineGrace = TimeSpan.FromSeconds(1);

    private const int ResponseBufferSize = 64 * 1024;
    /// <summary>Timers longer than this are not armed (CancelAfter's limit is ~49 days; nothing here waits a day).</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(1);

    private readonly HttpMessageInvoker invoker;
    private readonly ForwarderOptions options;
    private readonly ILogger<HttpForwarder> logger;

    public HttpForwarder(HttpMessageInvoker invoker, ForwarderOptions options, ILogger<HttpForwarder> logger)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        this.invoker = invoker;
        this.options = options;
        this.logger = logger;
    }

    public async Task<ForwardingOutcome> ForwardAsync(HttpContext context, Uri destinationBase, UpstreamProtocol protocol,
        IReadOnlyList<KeyValuePair<string, string>> identityHeaders)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(destinationBase);
        ArgumentNullException.ThrowIfNull(identityHeaders);

        var call = new Call(context, BuildTarget(destinationBase, context.Request), protocol == UpstreamProtocol.Grpc,
            Stopwatch.GetTimestamp());
        if (context.RequestAborted.IsCancellationRequested)
            return Finish(call, ForwardingOutcome.ClientCancelled, null);

        ApplyRequestLimits(context, call.IsGrpc);
        if (options.MaxRequestBodyBytes is { } max && context.Request.ContentLength > max)
        {
            await WriteErrorAsync(call, ForwardingOutcome.RequestTooLarge).ConfigureAwait(false);
            return Finish(call, ForwardingOutcome.RequestTooLarge, null);
        }

        using var timeout = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
        call.Timeout = timeout;
        var token = linked.Token;
        if (call.IsGrpc)
        {
            var header = context.Request.Headers[GrpcProtocol.TimeoutHeader].ToString();
            if (GrpcTimeout.TryParse(header, out var deadline))
            {
                call.GrpcTimeout = header;
                Arm(timeout, deadline + GrpcDeadlineGrace);
            }
        }
        else
        {
            Arm(timeout, options.HttpTimeout);
        }

        call.Body = CreateContent(context, call.IsGrpc);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), call.Target)
        {
            Version = call.IsGrpc ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = call.IsGrpc ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
            Content = call.Body ?? EmptyContentFor(context.Request),
        };
        // With a gateway span current, SocketsHttpHandler injects traceparent/tracestate itself (child of that span),
        // but only where the request has none: so the client's must go. Without one, the client's pass through.
        ForwardedHeaders.CopyRequestHeaders(context, request, identityHeaders, dropTraceHeaders: Activity.Current is not null);

        HttpResponseMessage? upstream = null;
        try
        {
            try
            {
                // HttpMessageInvoker returns at the response headers (HttpCompletionOption.ResponseHeadersRead);
                // the request body keeps streaming while the response is read.
                upstream = await invoker.SendAsync(request, token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var outcome = Classify(call, ex, responseStarted: false);
                if (outcome != ForwardingOutcome.ClientCancelled)
                    await WriteErrorAsync(call, outcome).ConfigureAwait(false);
                return Finish(call, outcome, ex);
            }
            if (!call.IsGrpc) timeout.CancelAfter(Timeout.InfiniteTimeSpan); // HttpTimeout covers the response headers only
            return await RelayResponseAsync(call, upstream, token).ConfigureAwait(false);
        }
        finally
        {
            upstream?.Dispose(); // an unfinished response resets the upstream stream (HTTP/2) or closes the connection
            if (call.Body is { } body) await body.StopAsync().ConfigureAwait(false);
        }
    }

    private async Task<ForwardingOutcome> RelayResponseAsync(Call call, HttpResponseMessage upstream, CancellationToken token)
    {
        var context = call.Context;
        var response = context.Response;
        response.StatusCode = (int)upstream.StatusCode;
        ForwardedHeaders.CopyResponseHeaders(upstream, response);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        if (call.IsGrpc && upstream.Headers.NonValidated.Contains(GrpcProtocol.StatusHeader))
        {
            // Trailers-only: the status is in the headers and there is no body. Nothing may be flushed before the
            // end, so that Kestrel sends one HEADERS frame with END_STREAM, as the upstream did.
            try
            {
                await response.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return Finish(call, ForwardingOutcome.ClientCancelled, ex);
            }
            return Finish(call, ForwardingOutcome.Success, null);
        }

        Stream upstreamBody;
        try
        {
            upstreamBody = await upstream.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return await FailAfterHeadersAsync(call, Classify(call, ex, responseStarted: true), ex).ConfigureAwait(false);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ResponseBufferSize);
        try
        {
            if (call.IsGrpc)
            {
                // Response headers go out now: a server-streaming call may send its first message much later.
                try
                {
                    await response.Body.FlushAsync(token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    return Finish(call, ClassifyClientSide(call), ex);
                }
            }
            while (true)
            {
                int read;
                try
                {
                    read = await upstreamBody.ReadAsync(buffer.AsMemory(0, ResponseBufferSize), token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    return await FailAfterHeadersAsync(call, Classify(call, ex, responseStarted: true), ex).ConfigureAwait(false);
                }
                if (read == 0) break;
                try
                {
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                    await response.Body.FlushAsync(token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    var outcome = ClassifyClientSide(call);
                    return outcome == ForwardingOutcome.ClientCancelled
                        ? Finish(call, outcome, ex)
                        : await FailAfterHeadersAsync(call, outcome, ex).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        try
        {
            if (response.SupportsTrailers())
            {
                foreach (var (name, values) in upstream.TrailingHeaders.NonValidated)
                {
                    if (ForwardedHeaders.IsForwardableResponseHeader(name))
                        response.AppendTrailer(name, ForwardedHeaders.ToStringValues(values));
                }
            }
            call.TrailersWritten = true;
            await response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return Finish(call, ForwardingOutcome.ClientCancelled, ex);
        }
        return Finish(call, ForwardingOutcome.Success, null);
    }

    /// <summary>
    /// The upstream failed after its response headers arrived. Not yet sent to the client: a normal gateway error.
    /// gRPC with trailers still unsent: the status goes in the trailers. Otherwise the client's stream is aborted.
    /// </summary>
    private async Task<ForwardingOutcome> FailAfterHeadersAsync(Call call, ForwardingOutcome outcome, Exception exception)
    {
        if (outcome == ForwardingOutcome.ClientCancelled) return Finish(call, outcome, exception);
        var context = call.Context;
        var response = context.Response;
        if (!response.HasStarted)
        {
            if (outcome == ForwardingOutcome.ResponseBroken) outcome = ForwardingOutcome.UpstreamUnavailable;
            await WriteErrorAsync(call, outcome).ConfigureAwait(false);
            return Finish(call, outcome, exception);
        }
        if (call.IsGrpc && !call.TrailersWritten && response.SupportsTrailers())
        {
            var error = ErrorFor(call, outcome);
            try
            {
                call.TrailersWritten = true;
                response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)error.GrpcStatus).ToString(CultureInfo.InvariantCulture));
                response.AppendTrailer(GrpcProtocol.MessageHeader, StatusMessageEncoding.Encode(error.ToString()));
                await response.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                context.Abort();
            }
        }
        else
        {
            context.Abort();
        }
        return Finish(call, outcome, exception);
    }

    private async Task WriteErrorAsync(Call call, ForwardingOutcome outcome)
    {
        try
        {
            await GatewayErrorResponse.WriteAsync(call.Context, ErrorFor(call, outcome)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            call.Context.Abort(); // the client is gone; nothing else to do
        }
    }

    private GatewayError ErrorFor(Call call, ForwardingOutcome outcome) => outcome switch
    {
        ForwardingOutcome.RequestTooLarge => new GatewayError(GatewayErrors.PayloadTooLarge,
            $"The request body exceeds the gateway's limit of {options.MaxRequestBodyBytes} bytes."),
        ForwardingOutcome.UpstreamTimeout => new GatewayError(GatewayErrors.UpstreamTimeout, call.IsGrpc
            ? $"The owning service did not finish within the call's deadline (grpc-timeout {call.GrpcTimeout})."
            : $"The owning service sent no response within {options.HttpTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s."),
        ForwardingOutcome.ResponseBroken => new GatewayError(GatewayErrors.UpstreamUnavailable,
            "The owning service broke off its response."),
        _ => new GatewayError(GatewayErrors.UpstreamUnavailable, "The owning service could not be reached."),
    };

    /// <summary>Why a send or an upstream read failed, judged by what the gateway knows, not by exception types alone.</summary>
    private static ForwardingOutcome Classify(Call call, Exception exception, bool responseStarted)
    {
        if (call.Context.RequestAborted.IsCancellationRequested) return ForwardingOutcome.ClientCancelled;
        var readFailure = call.Body?.ReadFailure;
        if (IsBodyTooLarge(readFailure) || IsBodyTooLarge(exception)) return ForwardingOutcome.RequestTooLarge;
        if (readFailure is not null and not OperationCanceledException) return ForwardingOutcome.ClientCancelled; // the client broke its body
        if (call.Timeout?.IsCancellationRequested == true) return ForwardingOutcome.UpstreamTimeout;
        return responseStarted ? ForwardingOutcome.ResponseBroken : ForwardingOutcome.UpstreamUnavailable;
    }

    /// <summary>A write to the client failed: the client went away, unless the gateway's own deadline cancelled it.</summary>
    private static ForwardingOutcome ClassifyClientSide(Call call) =>
        !call.Context.RequestAborted.IsCancellationRequested && call.Timeout?.IsCancellationRequested == true
            ? ForwardingOutcome.UpstreamTimeout
            : ForwardingOutcome.ClientCancelled;

    private static bool IsBodyTooLarge(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) return true;
        return false;
    }

    private ForwardingOutcome Finish(Call call, ForwardingOutcome outcome, Exception? exception)
    {
        if (outcome == ForwardingOutcome.Success) return outcome;
        var level = outcome switch
        {
            ForwardingOutcome.ClientCancelled => LogLevel.Debug,
            ForwardingOutcome.RequestTooLarge => LogLevel.Information,
            _ => LogLevel.Warning,
        };
        var elapsedMs = (long)Stopwatch.GetElapsedTime(call.StartTimestamp).TotalMilliseconds;
        ForwardingLog.Failed(logger, level, outcome, call.Context.Request.Method, call.Target.GetLeftPart(UriPartial.Path),
            call.IsGrpc ? UpstreamProtocol.Grpc : UpstreamProtocol.Http, elapsedMs, exception);
        return outcome;
    }

    private void ApplyRequestLimits(HttpContext context, bool isGrpc)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = options.MaxRequestBodyBytes;
        // A client-streaming or duplex call may idle for a long time; Kestrel's minimum data rate would kill it.
        if (isGrpc && context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
            rate.MinDataRate = null;
    }

    private static StreamingRequestContent? CreateContent(HttpContext context, bool isGrpc)
    {
        var request = context.Request;
        if (isGrpc || request.ContentLength > 0
            || (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true))
            return new StreamingRequestContent(request.Body, request.ContentLength);
        return null;
    }

    /// <summary>An explicit <c>Content-Length: 0</c> body keeps its content headers (e.g. Content-Type) on the way.</summary>
    private static HttpContent? EmptyContentFor(HttpRequest request) =>
        request.ContentLength == 0 ? new ByteArrayContent([]) : null;

    private static Uri BuildTarget(Uri destinationBase, HttpRequest request)
    {
        if (!destinationBase.IsAbsoluteUri)
            throw new ArgumentException($"The destination '{destinationBase}' must be an absolute URI.", nameof(destinationBase));
        var basePart = destinationBase.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var path = request.Path.HasValue ? request.Path.ToUriComponent() : "/";
        return new Uri(basePart + path + request.QueryString.ToUriComponent());
    }

    private static void Arm(CancellationTokenSource timeout, TimeSpan after)
    {
        if (after > TimeSpan.Zero && after <= LongestTimer) timeout.CancelAfter(after);
    }

    /// <summary>One forwarded request's state.</summary>
    private sealed class Call(HttpContext context, Uri target, bool isGrpc, long startTimestamp)
    {
        public HttpContext Context { get; } = context;
        public Uri Target { get; } = target;
        public bool IsGrpc { get; } = isGrpc;
        public long StartTimestamp { get; } = startTimestamp;
        public StreamingRequestContent? Body { get; set; }
        public CancellationTokenSource? Timeout { get; set; }
        public string? GrpcTimeout { get; set; }
        public bool TrailersWritten { get; set; }
    }
}

internal static partial class ForwardingLog
{
    [LoggerMessage(EventId = 1, EventName = "ForwardingFailed",
        Message = "Forwarding {Method} {Upstream} ({Protocol}) ended {Outcome} after {ElapsedMs} ms")]
    public static partial void Failed(ILogger logger, LogLevel level, ForwardingOutcome outcome, string method, string upstream,
        UpstreamProtocol protocol, long elapsedMs, Exception? exception);
}
