using Google.Protobuf;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests;

/// <summary>The four call shapes and status round trips, our client against our server on Kestrel.</summary>
[Collection(ServerCollection.Name)]
public class CallShapeTests(TestServerHost server)
{
    private GrpcChannel Channel => server.Channel;

    [Fact]
    public async Task Unary_call_returns_the_response()
    {
        var reply = await Channel.UnaryAsync(WireTestMethods.Echo,
            new EchoRequest { Text = "hello", Payload = ByteString.CopyFrom(1, 2, 3) });

        Assert.Equal("hello", reply.Text);
        Assert.Equal(new byte[] { 1, 2, 3 }, reply.Payload.ToByteArray());
    }

    [Fact]
    public async Task Unary_call_exposes_OK_status_and_headers()
    {
        using var call = Channel.UnaryCall(WireTestMethods.Echo, new EchoRequest { Text = "x" });
        await call.ResponseAsync;

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.NotNull(await call.ResponseHeadersAsync);
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, "工号 不存在: 50% done")]
    [InlineData(StatusCode.NotFound, "punctuation: ,;:!?\"'()[]{}<>/\\|@#$^&*~`=+ and 100%")]
    [InlineData(StatusCode.FailedPrecondition, "line1\nline2\ttab")]
    public async Task Status_code_and_message_round_trip_exactly(StatusCode code, string message)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Channel.UnaryAsync(WireTestMethods.Fail, new FailRequest { Code = (int)code, Message = message }));

        Assert.Equal(code, ex.StatusCode);
        Assert.Equal(message, ex.Status.Detail);
        Assert.Equal("requested", ex.Trailers.GetValue("x-fail-reason"));
    }

    [Fact]
    public async Task Error_before_any_message_is_a_trailers_only_response_with_minimal_percent_encoding()
    {
        var raw = await RawGrpc.PostAsync(server.Address, WireTestMethods.Fail.FullName,
            RawGrpc.Frame(new FailRequest { Code = 3, Message = "工号: 50%" }));

        Assert.True(raw.IsTrailersOnly);
        Assert.Empty(raw.Body);
        Assert.Equal("application/grpc", raw.Headers["content-type"]);
        Assert.Equal(StatusCode.InvalidArgument, raw.GrpcStatus);
        Assert.Equal("%E5%B7%A5%E5%8F%B7: 50%25", raw.GrpcMessage);
    }

    [Fact]
    public async Task Success_sends_status_in_trailers_after_the_message()
    {
        var raw = await RawGrpc.PostAsync(server.Address, WireTestMethods.Echo.FullName,
            RawGrpc.Frame(new EchoRequest { Text = "t" }));

        Assert.False(raw.IsTrailersOnly);
        Assert.Equal("0", raw.Trailers["grpc-status"]);
        Assert.Equal("gzip,identity", raw.Headers["grpc-accept-encoding"]);
        Assert.Equal(RawGrpc.Frame(new EchoReply { Text = "t" }), raw.Body);
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_then_OK()
    {
        using var call = Channel.ServerStreaming(WireTestMethods.Stream, new EchoRequest { Text = "item", Count = 5 });

        var replies = new List<EchoReply>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync()) replies.Add(reply);

        Assert.Equal(["item 0", "item 1", "item 2", "item 3", "item 4"], replies.Select(r => r.Text));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Server_streaming_with_no_messages_ends_OK()
    {
        using var call = Channel.ServerStreaming(WireTestMethods.Stream, new EchoRequest { Count = 0 });

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streaming_collects_every_request()
    {
        using var call = Channel.ClientStreaming(WireTestMethods.Collect);
        foreach (var text in new[] { "a", "b", "c" })
            await call.RequestStream.WriteAsync(new EchoRequest { Text = text });
        await call.RequestStream.CompleteAsync();

        var reply = await call.ResponseAsync;
        Assert.Equal("a,b,c", reply.Text);
        Assert.Equal(3, reply.Index);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streaming_with_no_requests_still_gets_a_reply()
    {
        using var call = Channel.ClientStreaming(WireTestMethods.Collect);
        await call.RequestStream.CompleteAsync();

        Assert.Equal(0, (await call.ResponseAsync).Index);
    }

    [Fact]
    public async Task Duplex_is_full_duplex_ping_pong()
    {
        using var call = Channel.DuplexStreaming(WireTestMethods.Chat);

        // Each reply must arrive while the request stream is still open.
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = $"ping{i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"pong ping{i}", call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Many_concurrent_calls_share_one_channel()
    {
        var calls = Enumerable.Range(0, 50).Select(i =>
            Channel.UnaryAsync(WireTestMethods.Echo, new EchoRequest { Text = $"call {i}" }));

        var replies = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"call {i}"), replies.Select(r => r.Text));
    }
}
