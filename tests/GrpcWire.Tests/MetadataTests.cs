using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests;

[Collection(ServerCollection.Name)]
public class MetadataTests(TestServerHost server)
{
    [Fact]
    public async Task Ascii_and_binary_metadata_travel_both_ways_including_trailers()
    {
        var binary = new byte[] { 0, 1, 2, 250, 251, 255 };
        var headers = new Metadata { { "x-text", "tenant-42" }, { "x-data-bin", binary } };
        using var call = server.Channel.UnaryCall(WireTestMethods.EchoMetadata, new EchoRequest { Text = Guid.NewGuid().ToString() },
            new CallOptions(Headers: headers));

        var reply = await call.ResponseAsync;
        var responseHeaders = await call.ResponseHeadersAsync;
        var trailers = call.GetTrailers();

        Assert.Equal("tenant-42", reply.Text);
        Assert.Equal(binary, reply.Payload.ToByteArray());
        Assert.Equal("tenant-42", responseHeaders.GetValue("x-text-initial"));
        Assert.Equal(binary, responseHeaders.GetBytes("x-data-initial-bin"));
        Assert.Equal("tenant-42", trailers.GetValue("x-text-trailer"));
        Assert.Equal(binary, trailers.GetBytes("x-data-trailer-bin"));
        Assert.DoesNotContain(trailers, e => e.Key.StartsWith("grpc-"));
    }

    [Fact]
    public async Task Handler_sees_custom_headers_but_not_reserved_ones()
    {
        var callId = Guid.NewGuid().ToString();
        var headers = new Metadata { { "x-text", "v" }, { "authorization", "Bearer t" } };
        await server.Channel.UnaryAsync(WireTestMethods.EchoMetadata, new EchoRequest { Text = callId },
            new CallOptions(Headers: headers, Deadline: DateTime.UtcNow.AddSeconds(30)));

        var seen = server.Service.SeenHeaders[callId];
        Assert.Equal("v", seen.GetValue("x-text"));
        Assert.Equal("Bearer t", seen.GetValue("authorization"));
        foreach (var reserved in new[] { "content-type", "te", "grpc-timeout", "grpc-accept-encoding", "user-agent", ":path", "host" })
            Assert.DoesNotContain(seen, e => e.Key == reserved);
    }

    [Fact]
    public async Task Handler_decodes_padded_binary_headers_from_other_clients()
    {
        var callId = Guid.NewGuid().ToString();
        await RawGrpc.PostAsync(server.Address, WireTestMethods.EchoMetadata.FullName, RawGrpc.Frame(new EchoRequest { Text = callId }),
            headers: new Dictionary<string, string> { ["x-data-bin"] = "AQI=" });

        Assert.Equal(new byte[] { 1, 2 }, server.Service.SeenHeaders[callId].GetBytes("x-data-bin"));
    }
}
