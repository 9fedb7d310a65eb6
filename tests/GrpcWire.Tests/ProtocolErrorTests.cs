using System.Net;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests;

/// <summary>Bad input must end one call with the right status, never the server.</summary>
[Collection(ServerCollection.Name)]
public class ProtocolErrorTests(TestServerHost server)
{
    private string EchoPath => WireTestMethods.Echo.FullName;

    [Fact]
    public async Task Unparsable_protobuf_is_INTERNAL_and_the_server_keeps_serving()
    {
        var raw = await RawGrpc.PostAsync(server.Address, EchoPath, RawGrpc.Frame([0xFF, 0xFF, 0xFF, 0xFF]));

        Assert.Equal(StatusCode.Internal, raw.GrpcStatus);
        await AssertServerStillServes();
    }

    [Fact]
    public async Task Handler_exception_is_UNKNOWN_with_a_generic_message()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(WireTestMethods.Fail, new FailRequest { Code = -1 }));

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.DoesNotContain("secret", ex.Status.Detail);
        await AssertServerStillServes();
    }

    [Fact]
    public async Task Truncated_frame_is_INTERNAL()
    {
        var frame = RawGrpc.Frame(new EchoRequest { Text = "truncated" });
        var raw = await RawGrpc.PostAsync(server.Address, EchoPath, frame[..^3]);

        Assert.Equal(StatusCode.Internal, raw.GrpcStatus);
        await AssertServerStillServes();
    }

    [Fact]
    public async Task Invalid_compressed_flag_is_INTERNAL()
    {
        var raw = await RawGrpc.PostAsync(server.Address, EchoPath, RawGrpc.Frame([], compressedFlag: 7));

        Assert.Equal(StatusCode.Internal, raw.GrpcStatus);
    }

    [Fact]
    public async Task Compressed_frame_without_grpc_encoding_is_INTERNAL()
    {
        var raw = await RawGrpc.PostAsync(server.Address, EchoPath, RawGrpc.Frame([1, 2, 3], compressedFlag: 1));

        Assert.Equal(StatusCode.Internal, raw.GrpcStatus);
    }

    [Fact]
    public async Task Unsupported_grpc_encoding_is_UNIMPLEMENTED_and_names_what_is_accepted()
    {
        var raw = await RawGrpc.PostAsync(server.Address, EchoPath, RawGrpc.Frame(new EchoRequest()),
            headers: new Dictionary<string, string> { ["grpc-encoding"] = "snappy" });

        Assert.Equal(StatusCode.Unimplemented, raw.GrpcStatus);
        Assert.Equal("gzip,identity", raw.Headers["grpc-accept-encoding"]);
    }

    [Fact]
    public async Task Unary_request_without_a_message_is_UNIMPLEMENTED()
    {
        var raw = await RawGrpc.PostAsync(server.Address, EchoPath, []);

        Assert.Equal(StatusCode.Unimplemented, raw.GrpcStatus);
    }

    [Fact]
    public async Task Unary_request_with_two_messages_is_UNIMPLEMENTED()
    {
        var frame = RawGrpc.Frame(new EchoRequest { Text = "one" });
        var raw = await RawGrpc.PostAsync(server.Address, EchoPath, [.. frame, .. frame]);

        Assert.Equal(StatusCode.Unimplemented, raw.GrpcStatus);
    }

    [Fact]
    public async Task Oversized_request_is_RESOURCE_EXHAUSTED()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(WireTestMethods.Echo,
            new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[TestServerHost.MaxReceiveMessageSize + 1]) }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        await AssertServerStillServes();
    }

    [Fact]
    public async Task Oversized_response_is_RESOURCE_EXHAUSTED_on_the_client()
    {
        using var smallChannel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });

        var ex = await Assert.ThrowsAsync<RpcException>(() => smallChannel.UnaryAsync(WireTestMethods.Echo,
            new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[2000]) }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Unknown_method_of_a_known_service_is_UNIMPLEMENTED()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(WireTestMethods.UnknownMethod, new EchoRequest()));

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Equal("Method is unimplemented.", ex.Status.Detail);
    }

    [Fact]
    public async Task Unknown_service_is_UNIMPLEMENTED()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(WireTestMethods.UnknownService, new EchoRequest()));

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Equal("Service is unimplemented.", ex.Status.Detail);
    }

    [Fact]
    public async Task Non_grpc_content_type_on_a_grpc_path_is_HTTP_415()
    {
        var raw = await RawGrpc.PostAsync(server.Address, EchoPath, "{}"u8.ToArray(), contentType: "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, raw.HttpStatus);
    }

    [Fact]
    public async Task Non_grpc_post_to_an_unknown_path_is_a_plain_404()
    {
        var raw = await RawGrpc.PostAsync(server.Address, "/some/path", "{}"u8.ToArray(), contentType: "application/json");

        Assert.Equal(HttpStatusCode.NotFound, raw.HttpStatus);
        Assert.Null(raw.GrpcStatus);
    }

    [Fact]
    public async Task Client_maps_a_connection_refused_to_UNAVAILABLE()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(WireTestMethods.Echo, new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    private async Task AssertServerStillServes()
    {
        var reply = await server.Channel.UnaryAsync(WireTestMethods.Echo, new EchoRequest { Text = "still alive" });
        Assert.Equal("still alive", reply.Text);
    }
}
