using System.Text.Json;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.Interop;

namespace HrmsAttendance.GrpcWire.Tests.Interop;

/// <summary>grpc-js (tests/interop-node/client.js) calling our Kestrel server.</summary>
[Collection(ServerCollection.Name)]
public class NodeClientToDotnetServerTests(TestServerHost server)
{
    internal static readonly string WireTestProto = Path.Combine(AppContext.BaseDirectory, "protos", "wire_test.proto");

    private Task<NodeCallResult> CallAsync(string method, object request, Dictionary<string, string>? metadata = null, int? deadlineMs = null) =>
        NodeInterop.CallAsync(new NodeCall(WireTestProto, $"127.0.0.1:{server.Address.Port}", $"wiretest.v1.WireTest/{method}", JsonSerializer.Serialize(request))
        {
            Metadata = metadata ?? [],
            DeadlineMs = deadlineMs,
        });

    [Fact]
    public async Task Unary_OK()
    {
        var result = await CallAsync("Echo", new { text = "from grpc-js", payload = Convert.ToBase64String([9, 8, 7]) });

        Assert.Equal(0, result.Status.Code);
        var reply = Assert.Single(result.Messages);
        Assert.Equal("from grpc-js", reply.GetProperty("text").GetString());
        Assert.Equal("CQgH", reply.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task Invalid_argument_with_a_unicode_message_reaches_grpc_js_exactly()
    {
        const string message = "工号 不存在: 50% done";
        var result = await CallAsync("Fail", new { code = 3, message });

        Assert.Equal("INVALID_ARGUMENT", result.Status.Name);
        Assert.Equal(message, result.Status.Details);
        Assert.Equal(["requested"], result.Trailers["x-fail-reason"]);
        Assert.Empty(result.Messages);
    }

    [Fact]
    public async Task Server_streaming()
    {
        var result = await CallAsync("Stream", new { text = "n", count = 4 });

        Assert.Equal(0, result.Status.Code);
        Assert.Equal(["n 0", "n 1", "n 2", "n 3"], result.Messages.Select(m => m.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Client_streaming_and_duplex()
    {
        var collected = await CallAsync("Collect", new[] { new { text = "a" }, new { text = "b" } });
        Assert.Equal("a,b", Assert.Single(collected.Messages).GetProperty("text").GetString());

        var chat = await CallAsync("Chat", new[] { new { text = "1" }, new { text = "2" } });
        Assert.Equal(["pong 1", "pong 2"], chat.Messages.Select(m => m.GetProperty("text").GetString()));
        Assert.Equal(0, chat.Status.Code);
    }

    [Fact]
    public async Task Request_metadata_reaches_the_handler_and_headers_and_trailers_reach_grpc_js()
    {
        var callId = Guid.NewGuid().ToString();
        var data = Convert.ToBase64String([0, 1, 2, 254, 255]);
        var result = await CallAsync("EchoMetadata", new { text = callId },
            new Dictionary<string, string> { ["x-text"] = "tenant-7", ["x-data-bin"] = data });

        var seen = server.Service.SeenHeaders[callId];
        Assert.Equal("tenant-7", seen.GetValue("x-text"));
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, seen.GetBytes("x-data-bin"));
        Assert.Equal(["tenant-7"], result.Headers["x-text-initial"]);
        Assert.Equal([data], result.Headers["x-data-initial-bin"]);
        Assert.Equal(["tenant-7"], result.Trailers["x-text-trailer"]);
        Assert.Equal([data], result.Trailers["x-data-trailer-bin"]);
    }

    [Fact]
    public async Task Deadline_is_DEADLINE_EXCEEDED_and_fires_the_handler_token()
    {
        // Generous deadline: node starts cold and CPUs are shared, and the handler must have started
        // before the deadline for its token to have anything to fire.
        var callId = Guid.NewGuid().ToString();
        var result = await CallAsync("WaitForCancel", new { text = callId }, deadlineMs: 1500);

        Assert.Equal("DEADLINE_EXCEEDED", result.Status.Name);
        Assert.True(server.Service.HandlerStarted(callId).IsCompleted, "the request never reached the handler");
        await server.Service.HandlerTokenFired(callId).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Unknown_service_is_UNIMPLEMENTED_for_grpc_js()
    {
        // wire_test_extra.proto declares a service no server implements (and imports wire_test.proto via --include).
        var protos = Path.Combine(AppContext.BaseDirectory, "protos");
        var result = await NodeInterop.CallAsync(new NodeCall(Path.Combine(protos, "wire_test_extra.proto"),
            $"127.0.0.1:{server.Address.Port}", "wiretest.v1.WireTestExtra/Echo") { IncludeDirs = [protos] });

        Assert.Equal("UNIMPLEMENTED", result.Status.Name);
        Assert.Equal("Service is unimplemented.", result.Status.Details);
    }
}
