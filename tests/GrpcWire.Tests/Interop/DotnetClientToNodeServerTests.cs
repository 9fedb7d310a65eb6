using Google.Protobuf;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests.Interop;

/// <summary>Our HttpClient-based channel calling a grpc-js server (tests/interop-node/server.js).</summary>
public class DotnetClientToNodeServerTests(NodeServerFixture node) : IClassFixture<NodeServerFixture>
{
    private GrpcChannel Channel => node.Channel;

    [Fact]
    public async Task Unary()
    {
        var reply = await Channel.UnaryAsync(WireTestMethods.Echo, new EchoRequest { Text = "to grpc-js", Payload = ByteString.CopyFrom(4, 5) });

        Assert.Equal("to grpc-js", reply.Text);
        Assert.Equal(new byte[] { 4, 5 }, reply.Payload.ToByteArray());
    }

    [Fact]
    public async Task Server_streaming()
    {
        using var call = Channel.ServerStreaming(WireTestMethods.Stream, new EchoRequest { Text = "s", Count = 3 });
        var texts = new List<string>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync()) texts.Add(reply.Text);

        Assert.Equal(["s 0", "s 1", "s 2"], texts);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streaming()
    {
        using var call = Channel.ClientStreaming(WireTestMethods.Collect);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "x" });
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "y" });
        await call.RequestStream.CompleteAsync();

        var reply = await call.ResponseAsync;
        Assert.Equal("x,y", reply.Text);
        Assert.Equal(2, reply.Index);
    }

    [Fact]
    public async Task Duplex_ping_pong()
    {
        using var call = Channel.DuplexStreaming(WireTestMethods.Chat);
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"p{i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"pong p{i}", call.ResponseStream.Current.Text);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, "工号 不存在: 50% done")]
    [InlineData(StatusCode.PermissionDenied, "tenant: a/b ~ 100%\ttab")]
    public async Task Error_status_with_unicode_message(StatusCode code, string message)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Channel.UnaryAsync(WireTestMethods.Fail, new FailRequest { Code = (int)code, Message = message }));

        Assert.Equal(code, ex.StatusCode);
        Assert.Equal(message, ex.Status.Detail);
        Assert.Equal("requested", ex.Trailers.GetValue("x-fail-reason"));
    }

    [Fact]
    public async Task Metadata_both_ways()
    {
        var data = new byte[] { 0, 127, 128, 255 };
        using var call = Channel.UnaryCall(WireTestMethods.EchoMetadata, new EchoRequest(),
            new CallOptions(Headers: new Metadata { { "x-text", "from dotnet" }, { "x-data-bin", data } }));

        var reply = await call.ResponseAsync;
        var headers = await call.ResponseHeadersAsync;

        Assert.Equal("from dotnet", reply.Text);
        Assert.Equal(data, reply.Payload.ToByteArray());
        Assert.Equal("from dotnet", headers.GetValue("x-text-initial"));
        Assert.Equal(data, headers.GetBytes("x-data-initial-bin"));
        Assert.Equal("from dotnet", call.GetTrailers().GetValue("x-text-trailer"));
        Assert.Equal(data, call.GetTrailers().GetBytes("x-data-trailer-bin"));
    }

    [Fact]
    public async Task Deadline_against_grpc_js()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(WireTestMethods.WaitForCancel,
            new EchoRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Unknown_method_and_service_are_UNIMPLEMENTED()
    {
        var method = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(WireTestMethods.UnknownMethod, new EchoRequest()));
        var service = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(WireTestMethods.UnknownService, new EchoRequest()));

        Assert.Equal(StatusCode.Unimplemented, method.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, service.StatusCode);
    }

    [Fact]
    public async Task Gzip_request_is_understood_by_grpc_js()
    {
        var payload = ByteString.CopyFrom(new byte[5000]);
        var reply = await Channel.UnaryAsync(WireTestMethods.Echo, new EchoRequest { Text = "gz", Payload = payload },
            new CallOptions { CompressRequests = true });

        Assert.Equal(payload, reply.Payload);
    }
}
