using System.Diagnostics;
using System.Net.Http.Json;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Hosting;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>The AppHost supervises its services: a killed one comes back on the same ports.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class RestartTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task A_killed_service_is_restarted_and_the_next_call_succeeds()
    {
        var app = fixture.App;
        var before = await app.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(60));
        var grpc = app.GetEndpoint("punch-ledger", "grpc");

        using (var victim = Process.GetProcessById(before.ProcessId!.Value))
            victim.Kill(); // SIGKILL: no chance to clean up

        // First the AppHost notices (Restarting, back-off 1 s), then the new process is healthy.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var restarting = await app.WaitForResourceAsync("punch-ledger", s => s.Restarts > before.Restarts, timeout.Token);
        Assert.Equal(137, restarting.ExitCode); // 128 + SIGKILL
        var after = await app.WaitForResourceAsync("punch-ledger",
            s => s.IsRunningAndHealthy && s.ProcessId != before.ProcessId, timeout.Token);

        Assert.Equal(before.Restarts + 1, after.Restarts);
        Assert.Equal(grpc, app.GetEndpoint("punch-ledger", "grpc")); // same address: references stay valid
        using var channel = app.CreateGrpcChannel("punch-ledger");
        var response = await new PunchLedgerClient(channel).SubmitPunchAsync(
            Punches.In(Guid.NewGuid(), new DateTimeOffset(2026, 3, 4, 9, 0, 0, Punches.Shanghai)), Punches.For(Guid.NewGuid()));
        Assert.False(response.Duplicate);

        // The dashboard shows it.
        using var dashboard = new HttpClient { BaseAddress = fixture.Dashboard.Url };
        var resources = await dashboard.GetFromJsonAsync<List<DashboardResource>>("api/resources");
        var shown = Assert.Single(resources!, r => r.Name == "punch-ledger");
        Assert.Equal(after.ProcessId, shown.ProcessId);
        Assert.True(shown.Restarts >= after.Restarts);
    }
}

/// <summary>One element of the dashboard's /api/resources.</summary>
public sealed record DashboardResource(string Name, string Type, string State, string Health, List<string> Endpoints, int? ProcessId, int Restarts);
