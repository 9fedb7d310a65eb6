using System.IO.Compression;
using Google.Protobuf;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests;

[Collection(ServerCollection.Name)]
public class CompressionTests(TestServerHost server)
{
    private static readonly ByteString Compressible = ByteString.CopyFrom(new byte[10_000]);

    [Fact]
    public async Task Gzip_request_is_decompressed_by_the_server()
    {
        var reply = await server.Channel.UnaryAsync(WireTestMethods.Echo, new EchoRequest { Text = "zipped", Payload = Compressible },
            new CallOptions { CompressRequests = true });

        Assert.Equal("zipped", reply.Text);
        Assert.Equal(Compressible, reply.Payload);
    }

    [Fact]
    public async Task Gzip_request_frame_is_accepted_on_the_wire()
    {
        var message = new EchoRequest { Text = "raw gzip" }.ToByteArray();
        var raw = await RawGrpc.PostAsync(server.Address, WireTestMethods.Echo.FullName, RawGrpc.Frame(Gzip(message), compressedFlag: 1),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "gzip" });

        Assert.Equal(StatusCode.OK, raw.GrpcStatus);
        Assert.Equal("raw gzip", EchoReply.Parser.ParseFrom(raw.Body.AsSpan(5)).Text);
    }

    [Fact]
    public async Task Server_compresses_responses_when_asked_and_the_client_accepts_gzip()
    {
        var raw = await RawGrpc.PostAsync(server.Address, WireTestMethods.Echo.FullName,
            RawGrpc.Frame(new EchoRequest { Text = "big", Payload = Compressible, CompressResponse = true }),
            headers: new Dictionary<string, string> { ["grpc-accept-encoding"] = "gzip" });

        Assert.Equal("gzip", raw.Headers["grpc-encoding"]);
        Assert.Equal(1, raw.Body[0]);
        Assert.True(raw.Body.Length < 1000, $"response frame is {raw.Body.Length} bytes: not compressed");
    }

    [Fact]
    public async Task Server_does_not_compress_for_a_client_that_does_not_accept_gzip()
    {
        var raw = await RawGrpc.PostAsync(server.Address, WireTestMethods.Echo.FullName,
            RawGrpc.Frame(new EchoRequest { Text = "big", CompressResponse = true }));

        Assert.False(raw.Headers.ContainsKey("grpc-encoding"));
        Assert.Equal(0, raw.Body[0]);
    }

    [Fact]
    public async Task Our_client_reads_compressed_unary_and_streamed_responses()
    {
        var reply = await server.Channel.UnaryAsync(WireTestMethods.Echo, new EchoRequest { Payload = Compressible, CompressResponse = true });
        Assert.Equal(Compressible, reply.Payload);

        using var call = server.Channel.ServerStreaming(WireTestMethods.Stream, new EchoRequest { Count = 3, Payload = Compressible, CompressResponse = true });
        var count = 0;
        await foreach (var item in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(Compressible, item.Payload);
            count++;
        }
        Assert.Equal(3, count);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal)) gzip.Write(data);
        return output.ToArray();
    }
}
