extern alias AppHostProject;

using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AppHostEntryPoint = AppHostProject::Program;

namespace HrmsAttendance.Load.Benchmarks;

/// <summary>
/// The AppHost's topology booted the way bench/Gateway.Benchmarks does it (Aspire.Hosting.Testing, fresh temporary data
/// directory, the dashboard running as under <c>dotnet run</c>), with the gateway's rate limits raised out of the way.
/// </summary>
public static class Topology
{
    /// <summary>The processes whose memory and threads the soak follows, with the assembly each one runs.</summary>
    public static readonly (string Resource, string Assembly)[] Services =
        [("gateway", "Gateway"), ("punch-ledger", "PunchLedger"), ("daily-results", "DailyResults"), ("identity-mapping", "IdentityMapping")];

    /// <summary>
    /// The gateway's token buckets (per tenant and per principal) get a capacity and refill of 1,000,000 through its
    /// configuration (<c>Gateway__RateLimits__PerTenant__Capacity</c> … as environment variables on the resource): every
    /// request still takes from the buckets in Redis, none is ever refused for the rate.
    /// </summary>
    public const long RaisedRateLimit = 1_000_000;

    /// <summary>
    /// The topology booted in a fresh temporary data directory (<paramref name="prefix"/>…, deleted when the returned
    /// topology is disposed), within 4 minutes; null, with the reason on standard error, when it did not start.
    /// </summary>
    public static async Task<BootedTopology?> BootAsync(string prefix)
    {
        var dataDirectory = Directory.CreateTempSubdirectory(prefix).FullName;
        // Postgres runs as its own user and must traverse the data directory (CreateTempSubdirectory makes it 700).
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        try { return new BootedTopology(await StartAsync(dataDirectory, TimeSpan.FromMinutes(4)), dataDirectory); }
        catch (Exception e)
        {
            Console.Error.WriteLine($"The AppHost topology did not start: {e.Message}");
            BootedTopology.Delete(dataDirectory);
            return null;
        }
    }

    public static async Task<DistributedApplication> StartAsync(string dataDirectory, TimeSpan timeout)
    {
        static string FreePort() => HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHostEntryPoint>(
        [
            $"--AppHost:DataDirectory={dataDirectory}",
            "--AppHost:Fresh=true",
            $"--ASPNETCORE_URLS=http://127.0.0.1:{FreePort()}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
            "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
        ],
        (options, _) =>
        {
            options.DisableDashboard = false;
            options.AllowUnsecuredTransport = true;
        });
        // The resources' own logs stay in the AppHost; the console gets the benchmark's lines and real problems.
        builder.Services.AddLogging(logging => logging
            .AddFilter("AppHost.Resources", LogLevel.None)
            .AddFilter("Aspire", LogLevel.Error)
            .AddFilter("Microsoft", LogLevel.Critical)
            .AddFilter("Polly", LogLevel.Error));
        var gateway = builder.CreateResourceBuilder<ProjectResource>("gateway");
        foreach (var scope in new[] { "PerPrincipal", "PerTenant" })
            gateway.WithEnvironment($"Gateway__RateLimits__{scope}__Capacity", RaisedRateLimit.ToString(CultureInfo.InvariantCulture))
                   .WithEnvironment($"Gateway__RateLimits__{scope}__RefillPerSecond", RaisedRateLimit.ToString(CultureInfo.InvariantCulture));

        var app = await builder.BuildAsync();
        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            await app.StartAsync(cancel.Token);
            foreach (var (resource, _) in Services)
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancel.Token);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A booted topology and its data directory. Disposed, it stops the topology and then deletes the directory: a run
    /// leaves about 1 GB of Postgres data behind otherwise (70 runs once filled the disk, and Postgres stopped on a
    /// failed WAL write).
    /// </summary>
    public sealed record BootedTopology(DistributedApplication App, string DataDirectory) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            Delete(DataDirectory);
        }

        internal static void Delete(string dataDirectory)
        {
            try { Directory.Delete(dataDirectory, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{dataDirectory} was not deleted: {e.Message}");
            }
        }
    }

    /// <summary>
    /// The process that runs <paramref name="assembly"/> for a project resource: DCP reports the pid of the
    /// <c>dotnet run --no-build</c> it starts, and the service is a descendant of it (the apphost executable or
    /// <c>dotnet &lt;assembly&gt;.dll</c>).
    /// </summary>
    public static int ServiceProcessId(DistributedApplication app, string resource, string assembly)
    {
        if (!app.ResourceNotifications.TryGetCurrentState(resource, out var state)
            || state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is not { } value)
            throw new InvalidOperationException($"DCP reports no process id for {resource}");
        var root = Convert.ToInt32(value, CultureInfo.InvariantCulture);
        foreach (var pid in ProcFs.SelfAndDescendants(root))
        {
            var arguments = ProcFs.CommandLine(pid);
            if (arguments.Length > 0 && (Path.GetFileName(arguments[0]) == assembly || arguments.Any(a => Path.GetFileName(a) == assembly + ".dll")))
                return pid;
        }
        throw new InvalidOperationException($"no process under {resource}'s pid {root} runs {assembly}");
    }
}
