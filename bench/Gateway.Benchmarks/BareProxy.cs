using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace HrmsAttendance.Gateway.Benchmarks;

/// <summary>
/// The ceiling for any YARP gateway here: one bare YARP hop (Kestrel h2c in, HTTP/2 out, no authentication, no
/// authorization, no rate limiting, no transforms, no telemetry) in this benchmark's own process, to the same services.
/// What it adds is the least a YARP-based gateway can add on this machine.
/// </summary>
public sealed class BareProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareProxy(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="upstreams">gRPC service path (e.g. <c>/attendance.ledger.v1.PunchLedger/</c>) → the service's h2c address.</param>
    public static async Task<BareProxy> StartAsync(IReadOnlyDictionary<string, Uri> upstreams)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (prefix, address) in upstreams)
        {
            var id = prefix.Trim('/');
            routes.Add(new RouteConfig { RouteId = id, ClusterId = id, Match = new RouteMatch { Path = prefix + "{**rest}" } });
            clusters.Add(new ClusterConfig
            {
                ClusterId = id,
                Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = address.ToString() } },
                HttpRequest = new() { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
            });
        }
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new BareProxy(app, new Uri(bound));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
