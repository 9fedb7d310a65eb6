using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests.Infrastructure;

/// <summary>The method declarations of wiretest.v1.WireTest, shared by the test server and the test clients.</summary>
public static class WireTestMethods
{
    public const string Service = "wiretest.v1.WireTest";

    public static readonly Method<EchoRequest, EchoReply> Echo = new(MethodType.Unary, Service, "Echo", EchoRequest.Parser, EchoReply.Parser);
    public static readonly Method<FailRequest, EchoReply> Fail = new(MethodType.Unary, Service, "Fail", FailRequest.Parser, EchoReply.Parser);
    public static readonly Method<EchoRequest, EchoReply> Stream = new(MethodType.ServerStreaming, Service, "Stream", EchoRequest.Parser, EchoReply.Parser);
    public static readonly Method<EchoRequest, EchoReply> Collect = new(MethodType.ClientStreaming, Service, "Collect", EchoRequest.Parser, EchoReply.Parser);
    public static readonly Method<EchoRequest, EchoReply> Chat = new(MethodType.DuplexStreaming, Service, "Chat", EchoRequest.Parser, EchoReply.Parser);
    public static readonly Method<EchoRequest, EchoReply> EchoMetadata = new(MethodType.Unary, Service, "EchoMetadata", EchoRequest.Parser, EchoReply.Parser);
    public static readonly Method<EchoRequest, EchoReply> WaitForCancel = new(MethodType.Unary, Service, "WaitForCancel", EchoRequest.Parser, EchoReply.Parser);
    public static readonly Method<EchoRequest, EchoReply> IgnoreCancel = new(MethodType.Unary, Service, "IgnoreCancel", EchoRequest.Parser, EchoReply.Parser);

    /// <summary>A method the server does not have, on a service it does have.</summary>
    public static readonly Method<EchoRequest, EchoReply> UnknownMethod = new(MethodType.Unary, Service, "NoSuchMethod", EchoRequest.Parser, EchoReply.Parser);
    /// <summary>A service the server does not have.</summary>
    public static readonly Method<EchoRequest, EchoReply> UnknownService = new(MethodType.Unary, "wiretest.v1.NoSuchService", "Echo", EchoRequest.Parser, EchoReply.Parser);
}
