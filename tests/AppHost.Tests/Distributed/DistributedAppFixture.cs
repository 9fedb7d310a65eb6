using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using HrmsAttendance.AppHost.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// The AppHost's own topology (AppHost/Program.cs), booted once for the whole collection with Aspire's
/// <see cref="DistributedApplicationTestingBuilder"/>: local servers on a fresh temporary data directory, the Aspire
/// dashboard on a free port (with a known login token and its telemetry API), randomized service ports.
/// </summary>
public sealed class DistributedAppFixture : IAsyncLifetime
{
    /// <summary>Every resource of the topology that reports health (the migrations resource runs once and finishes).</summary>
    public static readonly string[] HealthyResources =
        ["postgres", "attendance", "redis", "messaging", "punch-ledger", "identity-mapping", "daily-results", "dingtalk-connector", "identity", "gateway", "web"];

    /// <summary>A tenant whose callers get a bucket of 3 requests refilled at 1 per second (the 429 tests use it alone).</summary>
    public static readonly Guid RateLimitedTenant = Guid.Parse("7a1e0000-0000-4000-8000-00000000429a");

    /// <summary>identity's Identity:Lockout:Duration in this topology (the default is 15 minutes).</summary>
    public static readonly TimeSpan IdentityLockoutDuration = TimeSpan.FromSeconds(12);

    /// <summary>identity's per-address limit on the sign-in forms in this topology: posts per window.</summary>
    public const int IdentitySignInPermitLimit = 40;
    public static readonly TimeSpan IdentitySignInWindow = TimeSpan.FromSeconds(10);

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>Where the servers keep their data and the AppHost its gateway signing key.</summary>
    public string DataDirectory { get; } = NewDataDirectory("hrms-apphost-tests-");

    /// <summary>The gateway's extra TLS endpoint (Kestrel configuration only, as an operator would add it).</summary>
    public GatewayTls GatewayTls { get; } = new();

    /// <summary>Where the Aspire dashboard answers (its port is randomized like every other in tests).</summary>
    public Uri DashboardUrl { get; private set; } = null!;

    /// <summary>The dashboard's browser token: <c>{DashboardUrl}/login?t={BrowserToken}</c> signs in.</summary>
    public string BrowserToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>The key of the dashboard's telemetry API (<c>x-api-key</c>), as the AppHost generated it.</summary>
    public string DashboardApiKey { get; private set; } = "";

    public DashboardTelemetry Telemetry => new(DashboardUrl, DashboardApiKey);

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            $"--{AppHostOptions.DataDirectoryKey}={DataDirectory}",
            $"--{AppHostOptions.FreshKey}=true",
            $"--ASPIRE_DASHBOARD_FRONTEND_BROWSERTOKEN={BrowserToken}",
            $"--ASPNETCORE_URLS=http://127.0.0.1:{FreeLoopbackPort()}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{FreeLoopbackPort()}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{FreeLoopbackPort()}",
            "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
        ],
        (options, _) =>
        {
            options.DisableDashboard = false;
            options.AllowUnsecuredTransport = true;
        });

        var gateway = builder.CreateResourceBuilder<ProjectResource>("gateway");
        var limit = $"Gateway__RateLimits__Tenants__{RateLimitedTenant:D}__PerPrincipal__";
        gateway.WithEnvironment(limit + "Capacity", "3").WithEnvironment(limit + "RefillPerSecond", "1");
        foreach (var (name, value) in GatewayTls.Environment)
            gateway.WithEnvironment(name, value);

        // A lock short enough for a test to see it end; a per-address limit the sign-in tests can reach (all of them sign
        // in from 127.0.0.1, so it is as high as their bursts need).
        builder.CreateResourceBuilder<ProjectResource>("identity")
            .WithEnvironment("Identity__Lockout__Duration", IdentityLockoutDuration.ToString("c"))
            .WithEnvironment("Identity__SignInRateLimit__PermitLimit", IdentitySignInPermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Identity__SignInRateLimit__Window", IdentitySignInWindow.ToString("c"));

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await App.StartAsync(timeout.Token);
            foreach (var resource in HealthyResources)
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            DashboardUrl = App.GetEndpoint("aspire-dashboard", "http");
            DashboardApiKey = App.Services.GetRequiredService<IConfiguration>()["AppHost:DashboardApiKey"]
                ?? throw new InvalidOperationException("The AppHost made no dashboard API key (AppHost:DashboardApiKey).");
        }
        catch (Exception e)
        {
            var states = string.Join(", ", HealthyResources.Select(r =>
                App.ResourceNotifications.TryGetCurrentState(r, out var state) ? $"{r}={state.Snapshot.State?.Text}/{state.Snapshot.HealthStatus}" : $"{r}=?"));
            await App.DisposeAsync();
            throw new InvalidOperationException($"The distributed application did not become healthy ({states}): {e.Message}", e);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        GatewayTls.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a server that was slow to exit may still hold a file; the temp folder is the OS's to clean
        }
    }

    /// <summary>A temporary directory the postgres user may traverse (it runs the server in a subfolder).</summary>
    public static string NewDataDirectory(string prefix)
    {
        var directory = Directory.CreateTempSubdirectory(prefix);
        directory.UnixFileMode |= UnixFileMode.OtherExecute;
        return directory.FullName;
    }

    /// <summary>The dashboard binds these later, in its own process: ports outside the ephemeral range (LoopbackPorts).</summary>
    public static int FreeLoopbackPort() => HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free();
}

[CollectionDefinition(Name)]
public sealed class DistributedAppCollection : ICollectionFixture<DistributedAppFixture>
{
    public const string Name = "distributed application";
}
