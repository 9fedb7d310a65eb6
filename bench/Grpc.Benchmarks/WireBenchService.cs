using Grpc.Core;
using HrmsAttendance.GrpcBenchmarks.Proto;

namespace HrmsAttendance.GrpcBenchmarks;

/// <summary>wiretest.v1.WireTest's Echo and Stream, with the semantics of tests/interop-node/server.js.</summary>
public sealed class WireBenchService : WireTest.WireTestBase
{
    public override Task<EchoReply> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoReply { Text = request.Text, Payload = request.Payload });

    public override async Task Stream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
            await responseStream.WriteAsync(new EchoReply { Text = $"{request.Text} {i}", Index = i, Payload = request.Payload });
    }
}
