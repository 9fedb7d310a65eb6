using System.Diagnostics;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// A service that dies is reported, not hidden: Aspire shows it as exited with its exit code (DCP does not restart
/// projects on its own), and the dashboard's Restart command — the same one an operator clicks — brings it back on
/// the same address.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class RestartTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task A_killed_service_is_reported_exited_and_the_restart_command_brings_it_back()
    {
        var app = fixture.App;
        var before = await app.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(60));
        var pid = before.ProcessId() ?? throw new InvalidOperationException("DCP reported no pid for punch-ledger.");
        var grpc = app.GetEndpoint("punch-ledger", "grpc");

        // DCP's process is `dotnet run … --no-build`; the service is its child. Kill the service itself.
        var service = ProcessTree.DescendantsOf(pid).Single(p => p.CommandLine.Contains("PunchLedger", StringComparison.Ordinal)
                                                                && !p.CommandLine.Contains("dotnet run", StringComparison.Ordinal));
        using (var victim = Process.GetProcessById(service.Pid))
            victim.Kill(); // SIGKILL: no chance to clean up

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var exited = await app.ResourceNotifications.WaitForResourceAsync("punch-ledger",
            e => e.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", timeout.Token);
        Assert.NotEqual(0, exited.Snapshot.ExitCode);

        var result = await app.ResourceCommands.ExecuteCommandAsync("punch-ledger", KnownResourceCommands.RestartCommand, timeout.Token);
        Assert.True(result.Success, result.Message);
        var after = await app.ResourceNotifications.WaitForResourceHealthyAsync("punch-ledger", timeout.Token);

        Assert.NotEqual(pid, after.ProcessId());
        Assert.False(ProcessTree.IsAlive(service));
        Assert.Equal(grpc, app.GetEndpoint("punch-ledger", "grpc")); // same address: references stay valid
        var callers = new TopologyCallers(app, fixture.DataDirectory);
        var tenant = Guid.NewGuid();
        Guid person;
        using (var identity = app.CreateGrpcChannel("identity-mapping"))
            person = await callers.NewPersonAsync(identity, tenant);
        using var channel = app.CreateGrpcChannel("punch-ledger");
        var response = await new PunchLedgerClient(channel).SubmitPunchAsync(
            Punches.In(person, new DateTimeOffset(2026, 3, 4, 9, 0, 0, Punches.Shanghai)),
            Punches.For(callers.Token(tenant, AccessRoles.Integration)));
        Assert.False(response.Duplicate);
    }
}
