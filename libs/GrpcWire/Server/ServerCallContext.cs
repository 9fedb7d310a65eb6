using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.GrpcWire;

/// <summary>What a handler knows about the call it serves.</summary>
public abstract class ServerCallContext
{
    /// <summary>The full method path, e.g. <c>/attendance.ledger.v1.PunchLedger/SubmitPunch</c>.</summary>
    public abstract string Method { get; }
    /// <summary>The request metadata (custom headers; reserved and pseudo headers excluded).</summary>
    public abstract Metadata RequestHeaders { get; }
    /// <summary>Trailers the handler wants sent with the status.</summary>
    public abstract Metadata ResponseTrailers { get; }
    /// <summary>The deadline from <c>grpc-timeout</c>, or <see cref="DateTime.MaxValue"/>.</summary>
    public abstract DateTime Deadline { get; }
    /// <summary>Fires when the client cancels or the deadline passes.</summary>
    public abstract CancellationToken CancellationToken { get; }
    public abstract HttpContext HttpContext { get; }
    /// <summary>Sends the response headers now, with extra initial metadata.</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);

    /// <summary>
    /// Ask for gzip-compressed response messages. Honoured only when the client's
    /// <c>grpc-accept-encoding</c> lists gzip, and only if set before the response headers go out
    /// (the first write or <see cref="WriteResponseHeadersAsync"/>), because <c>grpc-encoding</c>
    /// travels in the headers. May be switched off and on again between writes of a stream.
    /// </summary>
    public bool CompressResponses { get; set; }
}

public delegate Task<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context);
public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);
public delegate Task<TResponse> ClientStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context);
public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>
/// A gRPC service implementation binds its handlers to method declarations here
/// (the hand-written equivalent of Grpc.AspNetCore's generated BindService).
/// </summary>
public interface IGrpcService
{
    void Bind(GrpcServiceBinder binder);
}
