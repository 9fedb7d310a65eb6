using Google.Protobuf;

namespace HrmsAttendance.GrpcWire;

/// <summary>Collects (method declaration → handler) pairs for the endpoint router.</summary>
public sealed class GrpcServiceBinder
{
    public GrpcServiceBinder AddUnary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => throw new NotImplementedException();

    public GrpcServiceBinder AddServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => throw new NotImplementedException();

    public GrpcServiceBinder AddClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => throw new NotImplementedException();

    public GrpcServiceBinder AddDuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => throw new NotImplementedException();
}
