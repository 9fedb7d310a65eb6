using HrmsAttendance.AppHost.Dashboard;
using HrmsAttendance.Hosting;
using HrmsAttendance.Hosting.Testing;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// The AppHost's own topology (Program.cs), booted once for the whole collection through
/// <see cref="DistributedApplicationTestingBuilder"/>: private servers on a fresh temporary data directory,
/// the dashboard on a free port, the service projects as built for the tests.
/// </summary>
public sealed class DistributedAppFixture : IAsyncLifetime
{
    private readonly List<string> _output = [];

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The gateway's extra TLS endpoint (Kestrel configuration only, as an operator would add it).</summary>
    public GatewayTls GatewayTls { get; } = new();

    public RunningDashboard Dashboard => App.GetDashboard();

    /// <summary>What the AppHost printed (progress, the resource table, restarts), for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return string.Join(Environment.NewLine, _output); }
    }

    public async Task InitializeAsync()
    {
        App = await DistributedApplicationTestingBuilder.CreateAsync<Program>(
            configure: builder =>
            {
                LimitTheRateLimitedTenant(builder);
                AddTheGatewayTlsEndpoint(builder);
            },
            output: line => { lock (_output) _output.Add(line); });
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await App.StartAsync(timeout.Token);
        }
        catch (Exception e)
        {
            var output = Output;
            await App.DisposeAsync();
            throw new InvalidOperationException($"The distributed application did not start: {e.Message}{Environment.NewLine}{output}", e);
        }
    }

    /// <summary>A tenant whose callers get a bucket of 3 requests refilled at 1 per second (the 429 tests use it alone).</summary>
    public static readonly Guid RateLimitedTenant = Guid.Parse("7a1e0000-0000-4000-8000-00000000429a");

    private static void LimitTheRateLimitedTenant(IDistributedApplicationBuilder builder)
    {
        var gateway = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway");
        var prefix = $"Gateway__RateLimits__Tenants__{RateLimitedTenant:D}__PerPrincipal__";
        gateway.Annotations.Add(new EnvironmentAnnotation(prefix + "Capacity", "3"));
        gateway.Annotations.Add(new EnvironmentAnnotation(prefix + "RefillPerSecond", "1"));
    }

    private void AddTheGatewayTlsEndpoint(IDistributedApplicationBuilder builder)
    {
        var gateway = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway");
        foreach (var (name, value) in GatewayTls.Environment)
        {
            gateway.Annotations.Add(new EnvironmentAnnotation(name, value));
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        GatewayTls.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DistributedAppCollection : ICollectionFixture<DistributedAppFixture>
{
    public const string Name = "distributed application";
}
