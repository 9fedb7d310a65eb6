using Google.Protobuf;
using HrmsAttendance.GrpcWire.Client;

namespace HrmsAttendance.GrpcWire;

/// <summary>A unary call in progress: the response plus its headers, status and trailers.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcCall<TResponse> call;

    internal AsyncUnaryCall(GrpcCall<TResponse> call)
    {
        this.call = call;
        ResponseAsync = call.ReadSingleResponseAsync();
    }

    /// <summary>The response; throws RpcException when the call ends with a status other than OK.</summary>
    public Task<TResponse> ResponseAsync { get; }
    public Task<Metadata> ResponseHeadersAsync => call.ResponseHeadersAsync;
    /// <summary>The final status; valid once <see cref="ResponseAsync"/> completed.</summary>
    public Status GetStatus() => call.GetStatus();
    /// <summary>The trailing metadata; valid once <see cref="ResponseAsync"/> completed.</summary>
    public Metadata GetTrailers() => call.GetTrailers();
    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => call.Dispose();
}

/// <summary>A server-streaming call in progress.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly Func<Status> getStatus;
    private readonly Func<Metadata> getTrailers;
    private readonly Action dispose;

    internal AsyncServerStreamingCall(IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeaders,
        Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose)
    {
        ResponseStream = responseStream;
        ResponseHeadersAsync = responseHeaders;
        this.getStatus = getStatus;
        this.getTrailers = getTrailers;
        this.dispose = dispose;
    }

    public IAsyncStreamReader<TResponse> ResponseStream { get; }
    public Task<Metadata> ResponseHeadersAsync { get; }
    /// <summary>The final status; valid after the response stream ended.</summary>
    public Status GetStatus() => getStatus();
    /// <summary>The trailing metadata; valid after the response stream ended.</summary>
    public Metadata GetTrailers() => getTrailers();
    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => dispose();
}

/// <summary>A client-streaming call in progress.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly Func<Status> getStatus;
    private readonly Func<Metadata> getTrailers;
    private readonly Action dispose;

    internal AsyncClientStreamingCall(IClientStreamWriter<TRequest> requestStream, Task<TResponse> response,
        Task<Metadata> responseHeaders, Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose)
    {
        RequestStream = requestStream;
        ResponseAsync = response;
        ResponseHeadersAsync = responseHeaders;
        this.getStatus = getStatus;
        this.getTrailers = getTrailers;
        this.dispose = dispose;
    }

    /// <summary>Write the requests, then CompleteAsync (half-close) to let the server answer.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }
    public Task<TResponse> ResponseAsync { get; }
    public Task<Metadata> ResponseHeadersAsync { get; }
    public Status GetStatus() => getStatus();
    public Metadata GetTrailers() => getTrailers();
    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => dispose();
}

/// <summary>A bidirectional call in progress: write and read independently (full duplex).</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly Func<Status> getStatus;
    private readonly Func<Metadata> getTrailers;
    private readonly Action dispose;

    internal AsyncDuplexStreamingCall(IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream,
        Task<Metadata> responseHeaders, Func<Status> getStatus, Func<Metadata> getTrailers, Action dispose)
    {
        RequestStream = requestStream;
        ResponseStream = responseStream;
        ResponseHeadersAsync = responseHeaders;
        this.getStatus = getStatus;
        this.getTrailers = getTrailers;
        this.dispose = dispose;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }
    public IAsyncStreamReader<TResponse> ResponseStream { get; }
    public Task<Metadata> ResponseHeadersAsync { get; }
    public Status GetStatus() => getStatus();
    public Metadata GetTrailers() => getTrailers();
    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => dispose();
}
