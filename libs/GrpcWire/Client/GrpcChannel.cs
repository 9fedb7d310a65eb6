using Google.Protobuf;
using HrmsAttendance.GrpcWire.Client;

namespace HrmsAttendance.GrpcWire;

/// <summary>Per-call options: metadata, deadline, cancellation.</summary>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default)
{
    /// <summary>gzip every request message (sends <c>grpc-encoding: gzip</c>).</summary>
    public bool CompressRequests { get; init; }
}

/// <summary>
/// A connection to one gRPC server over HTTP/2 (h2c for http://, TLS for https://), built on HttpClient.
/// Typed clients (in contracts/) wrap it. Thread-safe; create one per server address and reuse it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        Options = options;
        var ownsHandler = options.HttpHandler is null;
        var handler = options.HttpHandler ?? new SocketsHttpHandler
        {
            // More than 100 concurrent streams (the usual server limit) open another connection instead of queueing.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        HttpClient = new HttpClient(handler, disposeHandler: ownsHandler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public static GrpcChannel ForAddress(Uri address, HttpMessageHandler? handler = null) =>
        ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
    public static GrpcChannel ForAddress(string address, HttpMessageHandler? handler = null) => ForAddress(new Uri(address), handler);

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(options);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"gRPC address must be http:// or https://, got '{address}'.", nameof(address));
        return new GrpcChannel(address, options);
    }

    public Uri Address { get; }
    internal GrpcChannelOptions Options { get; }
    internal HttpClient HttpClient { get; }

    public Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        var call = UnaryCall(method, request, options);
        return DisposeAfter(call, call.ResponseAsync);
    }

    /// <summary>Like <see cref="UnaryAsync"/>, but also exposes the response headers, status and trailers.</summary>
    public AsyncUnaryCall<TResponse> UnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = NewCall(method, options);
        call.Start(request);
        return new AsyncUnaryCall<TResponse>(call);
    }

    public AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = NewCall(method, options);
        call.Start(request);
        return new AsyncServerStreamingCall<TResponse>(new ClientResponseStream<TResponse>(call),
            call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        var call = NewCall(method, options);
        call.StartStreamingRequest();
        var response = call.ReadSingleResponseAsync(); // read eagerly: the server may answer before we finish writing
        call.EagerResponseReader = response;
        _ = response.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        return new AsyncClientStreamingCall<TRequest, TResponse>(new ClientRequestStream<TRequest, TResponse>(call),
            response, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        var call = NewCall(method, options);
        call.StartStreamingRequest();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(new ClientRequestStream<TRequest, TResponse>(call),
            new ClientResponseStream<TResponse>(call), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public void Dispose() => HttpClient.Dispose();

    private GrpcCall<TResponse> NewCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        return new GrpcCall<TResponse>(this, method.FullName, method.ResponseParser, options);
    }

    private static async Task<TResponse> DisposeAfter<TResponse>(IDisposable call, Task<TResponse> response)
    {
        using (call) return await response.ConfigureAwait(false);
    }
}
