using System.Diagnostics;
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
/// authorization, no rate limiting, no transforms, no telemetry) to the same services, in a process of its own as the
/// gateway is (this benchmark's executable started again with <c>--bare-proxy</c>; <see cref="StartProcessAsync"/>).
/// What it adds is the least a YARP-based gateway process can add on this machine.
/// </summary>
public static class BareProxy
{
    /// <summary>The child's side: <c>--bare-proxy PREFIX=ADDRESS …</c>.</summary>
    /// <param name="upstreamArguments"><c>PREFIX=ADDRESS</c>: a gRPC service path (e.g. <c>/attendance.ledger.v1.PunchLedger/</c>) and the service's h2c address.</param>
    public static Task<int> ServeUntilStdinClosesAsync(IEnumerable<string> upstreamArguments)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenForGrpc(builder.WebHost);
        var (routes, clusters) = Routes(upstreamArguments);
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        var app = builder.Build();
        app.MapReverseProxy();
        return ServeUntilStdinClosesAsync(app);
    }

    /// <summary>A child proxy's one listener: h2c on a free loopback port, as the gateway's gRPC endpoint.</summary>
    public static void ListenForGrpc(IWebHostBuilder host) =>
        host.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));

    /// <summary>A child proxy's life: starts <paramref name="app"/>, prints its address (the parent's <see cref="StartProcessAsync"/> reads it), serves until stdin closes.</summary>
    public static async Task<int> ServeUntilStdinClosesAsync(WebApplication app)
    {
        await using (app)
        {
            await app.StartAsync();
            Console.WriteLine(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            await Console.In.ReadToEndAsync();
            await app.StopAsync();
        }
        return 0;
    }

    /// <summary>One route and cluster per <c>PREFIX=ADDRESS</c> (HTTP/2 to the service, as the gateway forwards gRPC).</summary>
    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Routes(IEnumerable<string> upstreamArguments)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var argument in upstreamArguments)
        {
            var (prefix, address) = argument.Split('=', 2) is [var p, var a] ? (p, a) : throw new ArgumentException($"not PREFIX=ADDRESS: {argument}");
            var id = prefix.Trim('/');
            routes.Add(new RouteConfig { RouteId = id, ClusterId = id, Match = new RouteMatch { Path = prefix + "{**rest}" } });
            clusters.Add(new ClusterConfig
            {
                ClusterId = id,
                Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = address } },
                HttpRequest = new() { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
            });
        }
        return (routes, clusters);
    }

    /// <summary>
    /// Starts the bare hop as a process of its own, with the runtime settings the gateway has (server GC, as for every
    /// ASP.NET Core app, and the web projects' thread-pool spin limit of 0: Directory.Build.props).
    /// </summary>
    /// <param name="mode"><c>--bare-proxy</c>, or <c>--rules-proxy</c> (<see cref="RulesProxy"/>).</param>
    /// <param name="environment">Set on the child besides the runtime settings (the rules proxy's configuration).</param>
    public static async Task<BareProxyProcess> StartProcessAsync(IReadOnlyDictionary<string, Uri> upstreams, string mode = "--bare-proxy",
        IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        var executable = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(executable) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet") start.ArgumentList.Add(typeof(BareProxy).Assembly.Location);
        start.ArgumentList.Add(mode);
        foreach (var (prefix, upstream) in upstreams) start.ArgumentList.Add($"{prefix}={upstream}");
        foreach (var (name, value) in environment ?? []) start.Environment[name] = value;
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("the bare proxy did not start");
        // The address is the first line that is one (the rules proxy's console logger may print before it).
        string? line;
        Uri? address = null;
        while ((line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))) is not null
               && !(line.StartsWith("http://", StringComparison.Ordinal) && Uri.TryCreate(line, UriKind.Absolute, out address)))
        {
        }
        if (address is null) throw new InvalidOperationException($"the {mode} process ended before printing its address");
        _ = process.StandardOutput.ReadToEndAsync(); // keep draining, so its logging never blocks on a full pipe
        return new BareProxyProcess(process, address);
    }
}

/// <summary>The bare hop's process; disposing closes its stdin, which ends it.</summary>
public sealed class BareProxyProcess(Process process, Uri address) : IAsyncDisposable
{
    public Uri Address { get; } = address;
    public int ProcessId => process.Id;

    public async ValueTask DisposeAsync()
    {
        process.StandardInput.Close();
        try { await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (TimeoutException) { process.Kill(entireProcessTree: true); }
        process.Dispose();
    }
}
