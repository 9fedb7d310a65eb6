using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Benchmarks;

/// <summary>wiretest.v1.WireTest's Echo and Stream, with the semantics of tests/interop-node/server.js.</summary>
public sealed class WireBenchService : IGrpcService
{
    public const string Service = "wiretest.v1.WireTest";

    public static readonly Method<EchoRequest, EchoReply> Echo =
        new(MethodType.Unary, Service, "Echo", EchoRequest.Parser, EchoReply.Parser);
    public static readonly Method<EchoRequest, EchoReply> Stream =
        new(MethodType.ServerStreaming, Service, "Stream", EchoRequest.Parser, EchoReply.Parser);

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(Echo, EchoHandler)
        .AddServerStreaming(Stream, StreamHandler);

    private static Task<EchoReply> EchoHandler(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoReply { Text = request.Text, Payload = request.Payload });

    private static async Task StreamHandler(EchoRequest request, IServerStreamWriter<EchoReply> responses, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
            await responses.WriteAsync(new EchoReply { Text = $"{request.Text} {i}", Index = i, Payload = request.Payload });
    }
}
