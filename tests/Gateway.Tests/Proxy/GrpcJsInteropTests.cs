using Grpc.Core;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.Interop;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.Proxy;

/// <summary>grpc-js (an independent gRPC implementation, strict about trailers-only responses) through the gateway.</summary>
public sealed class GrpcJsInteropTests : IAsyncLifetime
{
    private readonly ShapesService _shapes = new();
    private GatewayHarness _h = null!;

    public async Task InitializeAsync() => _h = GatewayHarness.Start(await Backends.StartShapesAsync(_shapes));

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Task<NodeCallResult> CallAsync(string method, string requestJson, Dictionary<string, string> metadata) =>
        NodeInterop.CallAsync(new NodeCall(
            Path.Combine(NodeInterop.RepoRoot, "tests/Gateway.Tests/Proxy/Protos/ledger_shapes.proto"),
            $"127.0.0.1:{_h.Gateway.GrpcAddress.Port}", "attendance.ledger.v1.PunchLedger/" + method, requestJson)
        {
            Metadata = metadata,
            DeadlineMs = 10_000,
        });

    private Dictionary<string, string> Admin() => new() { ["authorization"] = "Bearer " + _h.Token(AccessRoles.TenantAdmin) };

    [Fact]
    public async Task Unary_call_with_binary_metadata_both_ways()
    {
        _shapes.Unary = async (request, context) =>
        {
            context.ResponseTrailers.Add("x-echo-bin", context.RequestHeaders.GetValueBytes("x-key-bin")!);
            await Task.CompletedTask;
            return new Shapes.Chunk { Text = "echo:" + request.Text };
        };
        var metadata = Admin();
        metadata["x-key-bin"] = Convert.ToBase64String([1, 2, 250]);

        var result = await CallAsync("SubmitPunch", """{"text":"hi"}""", metadata);

        Assert.Equal("OK", result.Status.Name);
        Assert.Equal("echo:hi", result.Messages.Single().GetProperty("text").GetString());
        Assert.Equal(Convert.ToBase64String([1, 2, 250]), result.Trailers["x-echo-bin"].Single());
    }

    [Fact]
    public async Task The_services_trailers_only_error_and_the_gateways_refusal_both_read_as_statuses()
    {
        _shapes.Unary = (_, _) => throw new RpcException(new Status(StatusCode.NotFound, "STAFFING_NOT_FOUND: 没有"));

        var serviceError = await CallAsync("SubmitPunch", "{}", Admin());
        var refusal = await CallAsync("SubmitPunch", "{}", new Dictionary<string, string>());

        Assert.Equal((int)StatusCode.NotFound, serviceError.Status.Code);
        Assert.Equal("STAFFING_NOT_FOUND: 没有", serviceError.Status.Details);
        Assert.Equal((int)StatusCode.Unauthenticated, refusal.Status.Code);
        Assert.StartsWith(GatewayErrors.Unauthenticated + ":", refusal.Status.Details);
    }

    [Fact]
    public async Task Server_stream_and_duplex()
    {
        _shapes.ServerStream = async (request, stream, _) =>
        {
            for (var i = 0; i < 3; i++) await stream.WriteAsync(new Shapes.Chunk { Text = $"{request.Text}{i}" });
        };

        var streamed = await CallAsync("ListPunches", """{"text":"s"}""", Admin());
        var duplex = await CallAsync("StreamPunches", """[{"text":"a"},{"text":"b"}]""", Admin());

        Assert.Equal(["s0", "s1", "s2"], streamed.Messages.Select(m => m.GetProperty("text").GetString()));
        Assert.Equal(["echo:a", "echo:b"], duplex.Messages.Select(m => m.GetProperty("text").GetString()));
        Assert.Equal("OK", duplex.Status.Name);
    }
}
