using HrmsAttendance.Interop;

namespace HrmsAttendance.GrpcWire.Tests.Interop;

/// <summary>tests/interop-node/server.js (grpc-js) serving wiretest.v1.WireTest on a free port.</summary>
public sealed class NodeServerFixture : IAsyncLifetime
{
    private NodeServer? server;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        server = await NodeInterop.StartServerAsync("server.js", ["--proto", NodeClientToDotnetServerTests.WireTestProto, "--port", "0"]);
        Channel = GrpcChannel.ForAddress(server.Address);
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (server is not null) await server.DisposeAsync();
    }
}
