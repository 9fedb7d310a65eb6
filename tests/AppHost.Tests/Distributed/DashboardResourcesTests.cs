using System.Net.Http.Json;
using HrmsAttendance.Hosting;

namespace HrmsAttendance.AppHost.Tests.Distributed;

[Collection(DistributedAppCollection.Name)]
public sealed class DashboardResourcesTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task The_dashboard_lists_every_resource_Running_and_Healthy()
    {
        // Whatever Program.cs declares (services join with one line each), at least these.
        var topology = fixture.App.Model.Resources.Select(r => r.Name).ToList();
        Assert.Superset(new HashSet<string> { "postgres", "attendance", "redis", "messaging", "punch-ledger", "identity-mapping" }, topology.ToHashSet());
        using var dashboard = new HttpClient { BaseAddress = fixture.Dashboard.Url };
        // Another test of this collection may have just killed punch-ledger: wait until it is back, without sleeping.
        foreach (var name in topology)
            await fixture.App.WaitHealthyAsync(name, TimeSpan.FromSeconds(60));

        var resources = await dashboard.GetFromJsonAsync<List<DashboardResource>>("api/resources");

        Assert.Equal(topology, resources!.Select(r => r.Name));
        Assert.All(resources!, r =>
        {
            Assert.Equal(KnownResourceStates.Running, r.State);
            Assert.Equal(KnownHealthStates.Healthy, r.Health);
        });
        Assert.All(resources!.Where(r => r.Type != "database"), r => Assert.NotNull(r.ProcessId));
        var ledger = resources!.Single(r => r.Name == "punch-ledger");
        Assert.Equal(2, ledger.Endpoints.Count); // http and grpc
        Assert.All(ledger.Endpoints, e => Assert.StartsWith("http://127.0.0.1:", e));
    }

    [Fact]
    public async Task The_dashboard_serves_each_resources_console_logs()
    {
        await fixture.App.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(60));
        using var dashboard = new HttpClient { BaseAddress = fixture.Dashboard.Url };

        var postgres = await dashboard.GetFromJsonAsync<ConsoleLogs>("api/logs/postgres?search=ready");
        var migrations = await dashboard.GetFromJsonAsync<ConsoleLogs>("api/logs/punch-ledger?search=migrate");

        Assert.NotEmpty(postgres!.Lines);
        Assert.Contains(migrations!.Lines, l => l.Text.Contains("dotnet PunchLedger.dll migrate", StringComparison.Ordinal));
    }

    private sealed record ConsoleLogs(string Resource, List<ConsoleLine> Lines);

    private sealed record ConsoleLine(DateTimeOffset Timestamp, string Stream, string Text);
}
