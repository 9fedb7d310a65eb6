using Google.Protobuf;

namespace HrmsAttendance.GrpcWire;

/// <summary>Collects (method declaration → handler) pairs for the endpoint router.</summary>
public sealed class GrpcServiceBinder
{
    private readonly List<Server.BoundMethod> methods = [];

    internal IReadOnlyList<Server.BoundMethod> Methods => methods;

    public GrpcServiceBinder AddUnary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => Add(method, MethodType.Unary, handler, async call =>
        {
            var request = await call.ReadSingleRequestAsync(method.RequestParser).ConfigureAwait(false);
            var response = await handler(request, call).ConfigureAwait(false);
            await call.WriteSingleResponseAsync(response).ConfigureAwait(false);
        });

    public GrpcServiceBinder AddServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => Add(method, MethodType.ServerStreaming, handler, async call =>
        {
            var request = await call.ReadSingleRequestAsync(method.RequestParser).ConfigureAwait(false);
            await handler(request, new Server.ServerStreamWriter<TResponse>(call), call).ConfigureAwait(false);
        });

    public GrpcServiceBinder AddClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => Add(method, MethodType.ClientStreaming, handler, async call =>
        {
            var requests = new Server.ServerStreamReader<TRequest>(call, method.RequestParser);
            var response = await handler(requests, call).ConfigureAwait(false);
            await call.WriteSingleResponseAsync(response).ConfigureAwait(false);
        });

    public GrpcServiceBinder AddDuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
        => Add(method, MethodType.DuplexStreaming, handler, call =>
            handler(new Server.ServerStreamReader<TRequest>(call, method.RequestParser),
                    new Server.ServerStreamWriter<TResponse>(call), call));

    private GrpcServiceBinder Add<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expectedType,
        Delegate handler, Func<Server.HttpServerCallContext, Task> invoke)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (method.Type != expectedType)
            throw new ArgumentException(
                $"{method.FullName} is declared {method.Type} but bound as {expectedType}.", nameof(method));
        if (methods.Any(m => m.FullName == method.FullName))
            throw new InvalidOperationException($"{method.FullName} is bound twice.");
        methods.Add(new Server.BoundMethod(method.ServiceName, method.Name, method.Type, invoke));
        return this;
    }
}
