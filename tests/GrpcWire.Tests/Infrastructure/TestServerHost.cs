using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.GrpcWire.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (free port, HTTP/2 only, cleartext) serving <see cref="TestWireService"/>.
/// One instance is shared by the test collection.
/// </summary>
public sealed class TestServerHost : IAsyncLifetime
{
    /// <summary>The server's receive limit, kept small so the oversize test is cheap.</summary>
    public const int MaxReceiveMessageSize = 64 * 1024;

    private WebApplication? app;

    public Uri Address { get; private set; } = null!;
    public TestWireService Service => app!.Services.GetRequiredService<TestWireService>();
    public GrpcHealthService Health => app!.Services.GetRequiredService<GrpcHealthService>();
    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcWire(options =>
        {
            options.MaxReceiveMessageSize = MaxReceiveMessageSize;
            options.DeadlineResetGracePeriod = TimeSpan.FromMilliseconds(200);
        });
        builder.Services.AddSingleton<TestWireService>();
        app = builder.Build();
        app.MapGrpcService<TestWireService>();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address);
        Channel = GrpcChannel.ForAddress(Address);
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<TestServerHost>
{
    public const string Name = "grpc server";
}
