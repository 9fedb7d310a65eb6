using Google.Protobuf;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.GrpcWire.Tests.Interop.Testing;

namespace HrmsAttendance.GrpcWire.Tests.InteropCases;

/// <summary>
/// server_compressed_unary / server_compressed_streaming assert the per-message compressed flag, which
/// neither our client nor grpc-js exposes: read it from the raw frames.
/// </summary>
public class CompressionFlagWireTests(InteropServerHost server) : IClassFixture<InteropServerHost>
{
    private static readonly Dictionary<string, string> AcceptGzip = new() { ["grpc-accept-encoding"] = "identity,gzip" };

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task Server_compressed_unary_sets_the_flag_only_when_asked(bool compress, byte expectedFlag)
    {
        var request = new SimpleRequest { ResponseSize = 314159, ResponseCompressed = new BoolValue { Value = compress } };
        var raw = await RawGrpc.PostAsync(server.Address, TestServiceMethods.UnaryCall.FullName, RawGrpc.Frame(request), headers: AcceptGzip);

        Assert.Equal(StatusCode.OK, raw.GrpcStatus);
        Assert.Equal([expectedFlag], Frames(raw.Body).Select(f => f.Flag));
    }

    [Fact]
    public async Task Server_compressed_streaming_switches_compression_per_message()
    {
        var request = new StreamingOutputCallRequest
        {
            ResponseParameters =
            {
                new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } },
                new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } },
            },
        };
        var raw = await RawGrpc.PostAsync(server.Address, TestServiceMethods.StreamingOutputCall.FullName, RawGrpc.Frame(request), headers: AcceptGzip);

        Assert.Equal("gzip", raw.Headers["grpc-encoding"]);
        var frames = Frames(raw.Body);
        Assert.Equal(new byte[] { 1, 0 }, frames.Select(f => f.Flag));
        Assert.Equal(92653, StreamingOutputCallResponse.Parser.ParseFrom(frames[1].Payload).Payload.Body.Length);
    }

    private static List<(byte Flag, byte[] Payload)> Frames(byte[] body)
    {
        var frames = new List<(byte, byte[])>();
        for (var offset = 0; offset < body.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(offset + 1, 4));
            frames.Add((body[offset], body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }
        return frames;
    }
}
