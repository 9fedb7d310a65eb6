using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests;

[Collection(ServerCollection.Name)]
public class DeadlineAndCancellationTests(TestServerHost server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Deadline_ends_the_call_with_DEADLINE_EXCEEDED_and_fires_the_handler_token()
    {
        var callId = Guid.NewGuid().ToString();
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(WireTestMethods.WaitForCancel,
            new EchoRequest { Text = callId }, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        await server.Service.HandlerTokenFired(callId).WaitAsync(Patience);
    }

    [Fact]
    public async Task Server_answers_DEADLINE_EXCEEDED_itself_from_the_grpc_timeout_header()
    {
        // No client-side deadline here: only the server's timer can end this call.
        var raw = await RawGrpc.PostAsync(server.Address, WireTestMethods.WaitForCancel.FullName,
            RawGrpc.Frame(new EchoRequest { Text = Guid.NewGuid().ToString() }),
            headers: new Dictionary<string, string> { ["grpc-timeout"] = "200m" });

        Assert.Equal(StatusCode.DeadlineExceeded, raw.GrpcStatus);
    }

    [Fact]
    public async Task A_deadline_already_passed_fails_without_sending()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => server.Channel.UnaryAsync(WireTestMethods.Echo,
            new EchoRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Client_cancellation_is_CANCELLED_and_fires_the_handler_token()
    {
        var callId = Guid.NewGuid().ToString();
        using var cts = new CancellationTokenSource();
        var call = server.Channel.UnaryAsync(WireTestMethods.WaitForCancel, new EchoRequest { Text = callId },
            new CallOptions(CancellationToken: cts.Token));
        await server.Service.HandlerStarted(callId).WaitAsync(Patience);

        cts.Cancel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        await server.Service.HandlerTokenFired(callId).WaitAsync(Patience);
    }

    [Fact]
    public async Task Disposing_a_streaming_call_resets_it_and_fires_the_handler_token()
    {
        var callId = Guid.NewGuid().ToString();
        var call = server.Channel.DuplexStreaming(WireTestMethods.Chat);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = callId });
        Assert.True(await call.ResponseStream.MoveNext());

        call.Dispose();

        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task A_handler_that_ignores_the_deadline_has_its_stream_reset_and_the_server_recovers()
    {
        var callId = Guid.NewGuid().ToString();
        var call = RawGrpc.PostAsync(server.Address, WireTestMethods.IgnoreCancel.FullName,
            RawGrpc.Frame(new EchoRequest { Text = callId }),
            headers: new Dictionary<string, string> { ["grpc-timeout"] = "100m" });

        // Deadline (100 ms) + grace (200 ms in TestServerHost): the server resets the stream with CANCEL.
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => call.WaitAsync(Patience));
        var reset = Assert.IsType<HttpProtocolException>(ex.InnerException);
        Assert.Equal(0x8, reset.ErrorCode);

        server.Service.Release(callId);
        await server.Service.HandlerTokenFired(callId).WaitAsync(Patience); // the handler ran to its end
        Assert.Equal("ok", (await server.Channel.UnaryAsync(WireTestMethods.Echo, new EchoRequest { Text = "ok" })).Text);
    }
}
