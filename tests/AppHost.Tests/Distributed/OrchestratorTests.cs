using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HrmsAttendance.Hosting;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>The orchestrator on small topologies of its own (one Redis): failures and health changes.</summary>
public sealed class OrchestratorTests
{
    [Fact]
    public async Task A_server_that_dies_is_shown_Exited_and_Unhealthy()
    {
        await using var scope = await SmallApp.CreateAsync(builder => builder.AddRedis("redis"));
        var app = scope.App;
        await app.StartAsync();
        var running = app.GetResource("redis");
        Assert.True(running.IsRunningAndHealthy);

        using (var redis = Process.GetProcessById(running.ProcessId!.Value))
            redis.Kill();

        // The health loop (every second) notices; servers are not restarted.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var exited = await app.WaitForResourceAsync("redis", KnownResourceStates.Exited, timeout.Token);
        Assert.Equal(KnownHealthStates.Unhealthy, exited.Health);
        Assert.Contains(app.ResourceLogs.GetLogs("redis"), l => l.IsError && l.Text.Contains("Unhealthy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_server_fails_what_waits_for_it_and_StartAsync_names_both()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var scope = await SmallApp.CreateAsync(builder =>
        {
            var redis = builder.AddRedis("redis", port: port);
            builder.AddProject("punch-ledger", "services/PunchLedger").WithReference(redis).WaitFor(redis);
        });

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => scope.App.StartAsync());

        Assert.Contains("redis:", error.Message, StringComparison.Ordinal);
        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
        Assert.Contains("punch-ledger: not started: redis failed to start", error.Message, StringComparison.Ordinal);
        Assert.Equal(KnownResourceStates.FailedToStart, scope.App.GetResource("punch-ledger").State);
        await Assert.ThrowsAsync<DistributedApplicationException>(() => scope.App.WaitForResourceAsync("punch-ledger", KnownResourceStates.Running));
    }

    [Fact]
    public async Task An_outside_OTLP_endpoint_wins_over_the_dashboards_and_the_dashboard_still_runs()
    {
        await using var scope = await SmallApp.CreateAsync(builder => builder.AddDashboard(), "--otlp-endpoint", "http://127.0.0.1:4318");

        await scope.App.StartAsync();

        Assert.Equal("http://127.0.0.1:4318", scope.App.OtlpEndpoint);
        var dashboard = scope.App.GetDashboard();
        Assert.NotEqual("http://127.0.0.1:4318", dashboard.OtlpEndpoint);
        Assert.Contains(scope.App.Urls, u => u.Label == "Dashboard" && u.Url == dashboard.Url);
    }

    [Fact]
    public async Task Stopping_works_whatever_order_the_resources_were_declared_in()
    {
        await using var scope = await SmallApp.CreateAsync(builder =>
        {
            builder.AddProject("early", "services/PunchLedger"); // depends on nothing, declared before the servers
            var database = builder.AddPostgres("postgres").AddDatabase("db", ownerRole: "db_owner");
            builder.AddProject("late", "services/PunchLedger").WithReference(database, "late_app");
        });

        await scope.App.StopAsync(); // never started: nothing to stop, and no ordering error

        Assert.All(scope.App.ResourceNotifications.GetAll(), s => Assert.Equal(KnownResourceStates.NotStarted, s.State));
    }

    /// <summary>An application built in the test (not from Program.cs) on a temporary data directory.</summary>
    private sealed class SmallApp : IAsyncDisposable
    {
        private readonly string _directory;

        private SmallApp(DistributedApplication app, string directory) => (App, _directory) = (app, directory);

        public DistributedApplication App { get; }

        public static Task<SmallApp> CreateAsync(Action<IDistributedApplicationBuilder> describe, params string[] args)
        {
            var directory = Directory.CreateTempSubdirectory("hrms-apphost-small-").FullName;
            var builder = DistributedApplication.CreateBuilder(["--data-dir", directory, "--no-build", "--dashboard-port", "0", .. args]);
            builder.Options.Output = _ => { };
            describe(builder);
            return Task.FromResult(new SmallApp(builder.Build(), directory));
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
