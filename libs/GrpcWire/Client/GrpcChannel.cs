using Google.Protobuf;

namespace HrmsAttendance.GrpcWire;

/// <summary>Per-call options: metadata, deadline, cancellation.</summary>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default);

/// <summary>
/// A connection to one gRPC server over HTTP/2 (h2c for http://, TLS for https://), built on HttpClient.
/// Typed clients (in contracts/) wrap it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    public static GrpcChannel ForAddress(Uri address, HttpMessageHandler? handler = null) => throw new NotImplementedException();
    public static GrpcChannel ForAddress(string address, HttpMessageHandler? handler = null) => ForAddress(new Uri(address), handler);

    public Uri Address => throw new NotImplementedException();

    public Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => throw new NotImplementedException();

    public AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => throw new NotImplementedException();

    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => throw new NotImplementedException();

    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}

/// <summary>A server-streaming call in progress.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    public IAsyncStreamReader<TResponse> ResponseStream => throw new NotImplementedException();
    public Task<Metadata> ResponseHeadersAsync => throw new NotImplementedException();
    /// <summary>The final status; valid after the response stream ended.</summary>
    public Status GetStatus() => throw new NotImplementedException();
    /// <summary>The trailing metadata; valid after the response stream ended.</summary>
    public Metadata GetTrailers() => throw new NotImplementedException();
    public void Dispose() => throw new NotImplementedException();
}

/// <summary>A client-streaming call in progress.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream => throw new NotImplementedException();
    public Task<TResponse> ResponseAsync => throw new NotImplementedException();
    public Task<Metadata> ResponseHeadersAsync => throw new NotImplementedException();
    public Status GetStatus() => throw new NotImplementedException();
    public Metadata GetTrailers() => throw new NotImplementedException();
    public void Dispose() => throw new NotImplementedException();
}

/// <summary>A bidirectional call in progress.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream => throw new NotImplementedException();
    public IAsyncStreamReader<TResponse> ResponseStream => throw new NotImplementedException();
    public Task<Metadata> ResponseHeadersAsync => throw new NotImplementedException();
    public Status GetStatus() => throw new NotImplementedException();
    public Metadata GetTrailers() => throw new NotImplementedException();
    public void Dispose() => throw new NotImplementedException();
}
