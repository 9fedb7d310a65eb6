using HrmsAttendance.GrpcWire.Tests.Interop;
using HrmsAttendance.Interop;

namespace HrmsAttendance.GrpcWire.Tests.InteropCases;

/// <summary>Our client running the interop cases against our Kestrel server.</summary>
public class DotnetClientToDotnetServerInteropTests(InteropServerHost server) : IClassFixture<InteropServerHost>
{
    public static TheoryData<string> Cases => [.. InteropClient.CommonCases, .. InteropClient.CompressionCases];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Interop_case(string testCase)
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        await InteropClient.RunAsync(testCase, channel);
    }
}

/// <summary>grpc-js's server (interop-server.js) serving grpc.testing.TestService.</summary>
public sealed class NodeInteropServerFixture : IAsyncLifetime
{
    private NodeServer? server;

    public Uri Address => server!.Address;

    public async Task InitializeAsync() =>
        server = await NodeInterop.StartServerAsync("interop-server.js", ["--proto", InteropProto.Path, "--port", "0"]);

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }
}

/// <summary>Our client running the interop cases against grpc-js (compression cases excluded: see InteropClient).</summary>
public class DotnetClientToNodeServerInteropTests(NodeInteropServerFixture server) : IClassFixture<NodeInteropServerFixture>
{
    public static TheoryData<string> Cases => [.. InteropClient.CommonCases];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Interop_case(string testCase)
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        await InteropClient.RunAsync(testCase, channel);
    }
}

/// <summary>grpc-js's client (interop-client.js) running the interop cases against our Kestrel server.</summary>
public class NodeClientToDotnetServerInteropTests(InteropServerHost server) : IClassFixture<InteropServerHost>
{
    public static TheoryData<string> Cases =>
        [.. InteropClient.CommonCases, "client_compressed_unary", "server_compressed_unary", "server_compressed_streaming"];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Interop_case(string testCase)
    {
        var result = await NodeInterop.RunScriptAsync("interop-client.js",
            ["--proto", InteropProto.Path, "--address", $"127.0.0.1:{server.Address.Port}", "--test_case", testCase]);

        Assert.True(result.ExitCode == 0, $"grpc-js {testCase} failed:\n{result.StandardOutput}\n{result.StandardError}");
    }
}

internal static class InteropProto
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "protos", "grpc", "testing", "interop.proto");
}
