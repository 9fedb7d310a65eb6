using Google.Protobuf;

namespace HrmsAttendance.GrpcWire;

public enum MethodType { Unary, ClientStreaming, ServerStreaming, DuplexStreaming }

/// <summary>
/// One RPC, declared once: the server mapping and the typed client both use this declaration,
/// so a method's path and message types cannot drift between the two sides.
/// </summary>
public sealed class Method<TRequest, TResponse>(
    MethodType type, string serviceName, string name,
    MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public MethodType Type { get; } = type;
    public string ServiceName { get; } = serviceName;
    public string Name { get; } = name;
    public MessageParser<TRequest> RequestParser { get; } = requestParser;
    public MessageParser<TResponse> ResponseParser { get; } = responseParser;

    /// <summary>The HTTP/2 path, e.g. <c>/attendance.ledger.v1.PunchLedger/SubmitPunch</c>.</summary>
    public string FullName => $"/{ServiceName}/{Name}";
}
