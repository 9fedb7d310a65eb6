using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>
/// Faults under load (issue 15): while a steady stream of SubmitPunch goes through the gateway (clients retrying with
/// the same request_id), one process or server fails. Afterwards every acknowledged punch is in the ledger exactly
/// once, nothing appears that nobody sent, the daily results equal the kernel's from-scratch recompute, every resource
/// is Healthy again, and the time to recover is printed. DCP does not restart a project that died: after a SIGKILL the
/// test issues Aspire's restart command (as an operator would on the dashboard); servers are stopped and started with
/// their stop/start commands. Each test has a tenant of its own.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class FaultsUnderLoadTests(FaultAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public Task Fault_punch_ledger_killed_under_load_loses_and_duplicates_nothing() =>
        UnderLoadAsync("punch-ledger SIGKILL", (stream, _) => KillAndRestartAsync("punch-ledger", "PunchLedger", stream.Clock));

    [Fact]
    public Task Fault_gateway_killed_under_load_loses_and_duplicates_nothing() =>
        UnderLoadAsync("gateway SIGKILL", (stream, _) => KillAndRestartAsync("gateway", "Gateway", stream.Clock));

    [Fact]
    public Task Fault_identity_mapping_killed_while_called_loses_and_duplicates_nothing() =>
        UnderLoadAsync("identity-mapping SIGKILL", async (stream, world) =>
        {
            await using var calls = new IdentityCalls(world, stream.Clock);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var fault = await KillAndRestartAsync("identity-mapping", "IdentityMapping", stream.Clock);
            await WaitUntilAsync(() => calls.SucceededAfter(fault.Recovered) >= 5, RecoveryTimeout, "identity-mapping answers again");
            var gap = calls.LongestGapAfter(fault.Injected - TimeSpan.FromSeconds(1));
            return fault with
            {
                Notes = $"{fault.Notes}; identity callers: longest gap {Seconds(gap)} s, failed calls {PunchStream.Describe(calls.Failures)}",
            };
        });

    [Fact]
    public Task Fault_postgres_stopped_and_started_under_load_loses_and_duplicates_nothing() =>
        UnderLoadAsync($"postgres stopped {Seconds(FaultOptions.PostgresDown)} s", async (stream, world) =>
        {
            // identity-mapping is called too: its pool's connections die with Postgres as the ledger's do.
            await using var calls = new IdentityCalls(world, stream.Clock);
            var fault = await StopAndStartAsync("postgres", FaultOptions.PostgresDown, stream, ["attendance"]);
            await WaitUntilAsync(() => calls.SucceededAfter(fault.Recovered) >= 5, RecoveryTimeout, "identity-mapping answers again");
            return fault with
            {
                Notes = $"{fault.Notes}; identity callers: longest gap {Seconds(calls.LongestGapAfter(fault.Injected))} s, "
                        + $"failed calls {PunchStream.Describe(calls.Failures)}, of which after Postgres was healthy again {calls.FailedAfter(fault.Recovered)}",
            };
        });

    [Fact]
    public Task Fault_redis_stopped_under_load_loses_and_duplicates_nothing() =>
        UnderLoadAsync($"redis stopped {Seconds(FaultOptions.RedisDown)} s", async (stream, _) =>
        {
            var fault = await StopAndStartAsync("redis", FaultOptions.RedisDown, stream, []);
            // The gateway's rate limits fall back to local buckets: the front door keeps serving while Redis is down.
            Assert.True(fault.AcknowledgedWhileDown > 0, "punches were acknowledged while Redis was down (local rate-limit fallback)");
            return fault;
        });

    /// <summary>Times on the stream's clock; <see cref="Recovered"/> is when the fault's own resource was Healthy again.</summary>
    private sealed record FaultTimes(TimeSpan Injected, TimeSpan Recovered, string Notes, int AcknowledgedWhileDown = -1);

    private async Task UnderLoadAsync(string fault, Func<PunchStream, FaultWorld, Task<FaultTimes>> inject)
    {
        await WaitAllHealthyAsync();
        var world = await FaultWorld.CreateAsync(fixture.App, fixture.DataDirectory);
        var superuser = (await fixture.App.GetConnectionStringAsync("attendance"))!;

        FaultTimes times;
        TimeSpan allHealthy;
        IReadOnlyList<SentPunch> sent;
        var stream = PunchStream.Start(world);
        await using (stream)
        {
            await stream.WaitForAcknowledgementsAsync(20, TimeSpan.FromSeconds(60));
            await Task.Delay(FaultOptions.Steady);
            times = await inject(stream, world);
            await WaitAllHealthyAsync();
            allHealthy = stream.Clock.Elapsed;
            // The stream flows again before it stops (it is the caller's view of recovery).
            await stream.WaitForAcknowledgementsAsync(20, FaultOptions.PunchDeadline);
            await Task.Delay(FaultOptions.Steady);
            sent = await stream.StopAsync();
        }

        var events = await LedgerAudit.EventsByRequestIdAsync(superuser, world.Tenant);
        var repeated = await LedgerAudit.RepeatedPunchesAsync(superuser, world.Tenant);
        var lastDate = PunchStream.FirstDate.AddDays(sent.Count + 1);
        var (rewritten, differences) = await LedgerAudit.RecomputeFromScratchAsync(superuser, world.Tenant, PunchStream.FirstDate.AddDays(-1), lastDate);

        var acknowledged = sent.Where(p => p.Acknowledged).ToList();
        var unacknowledged = sent.Where(p => !p.Acknowledged).ToList();
        var lost = acknowledged.Where(p => events.GetValueOrDefault(p.RequestId) == 0).ToList();
        var duplicated = events.Where(e => e.Value > 1).ToList();
        var sentIds = sent.Select(p => p.RequestId).ToHashSet(StringComparer.Ordinal);
        var unknown = events.Keys.Where(id => !sentIds.Contains(id)).ToList();
        var firstAckAfter = acknowledged.Select(p => p.AcknowledgedAt!.Value).Where(t => t >= times.Recovered).DefaultIfEmpty().Min();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FAULT {fault}: punches sent {sent.Count}, acknowledged {acknowledged.Count}, given up {unacknowledged.Count}, "
            + $"lost {lost.Count}, duplicated {duplicated.Count + repeated.Count}, retried {sent.Count(p => p.Attempts > 1)} "
            + $"(of which committed before the caller knew: {acknowledged.Count(p => p.Duplicate)}), failed attempts {PunchStream.Describe(stream.Failures)}; "
            + $"resource healthy {Seconds(times.Recovered - times.Injected)} s after the fault, all healthy {Seconds(allHealthy - times.Injected)} s, "
            + $"callers' longest gap without an acknowledgement {Seconds(stream.LongestGapAfter(times.Injected))} s, "
            + $"first acknowledgement {Seconds(firstAckAfter - times.Recovered)} s after recovery; {times.Notes}; "
            + $"results rewritten by a from-scratch recompute {rewritten}"));

        Assert.True(unacknowledged.Count == 0,
            $"{unacknowledged.Count} punches were never acknowledged within {FaultOptions.PunchDeadline.TotalSeconds} s of retries (the system did not recover for them)");
        Assert.True(lost.Count == 0, $"Acknowledged but not in the ledger: {string.Join(", ", lost.Select(p => p.RequestId))}");
        Assert.True(duplicated.Count == 0, $"Recorded more than once: {string.Join(", ", duplicated.Select(d => $"{d.Key}×{d.Value}"))}");
        Assert.True(repeated.Count == 0, $"The same punch recorded more than once: {string.Join(", ", repeated)}");
        Assert.True(unknown.Count == 0, $"In the ledger but never sent: {string.Join(", ", unknown)}");
        Assert.True(rewritten == 0, $"The daily results differ from a from-scratch recompute ({rewritten} rewritten):{Environment.NewLine}{string.Join(Environment.NewLine, differences)}");
        Assert.Equal(sent.Count, events.Values.Sum());
    }

    /// <summary>SIGKILL of the service process itself, then Aspire's restart command (<see cref="ResourceFaults"/>).</summary>
    private async Task<FaultTimes> KillAndRestartAsync(string resource, string assemblyName, Stopwatch clock)
    {
        var injected = clock.Elapsed;
        var exitSeen = await ResourceFaults.KillAndRestartAsync(fixture.App, resource, assemblyName, RecoveryTimeout);
        return new FaultTimes(injected, clock.Elapsed,
            $"exit seen by DCP after {Seconds(exitSeen)} s, healthy {Seconds(clock.Elapsed - injected - exitSeen)} s after the restart command");
    }

    /// <summary>The resource's stop command, <paramref name="down"/> of outage under load, then its start command.</summary>
    private async Task<FaultTimes> StopAndStartAsync(string resource, TimeSpan down, PunchStream stream, string[] alsoHealthy)
    {
        var app = fixture.App;
        var clock = stream.Clock;
        await app.WaitHealthyAsync(resource, TimeSpan.FromSeconds(60));
        var injected = clock.Elapsed;
        await ResourceFaults.StopAsync(app, resource, RecoveryTimeout);
        var stopped = clock.Elapsed;
        await Task.Delay(down);
        var acknowledgedWhileDown = stream.AcknowledgedBetween(stopped, clock.Elapsed);
        var started = clock.Elapsed;
        await ResourceFaults.StartAsync(app, resource, RecoveryTimeout);
        using (var timeout = new CancellationTokenSource(RecoveryTimeout))
            foreach (var name in alsoHealthy)
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        return new FaultTimes(injected, clock.Elapsed,
            $"stopped after {Seconds(stopped - injected)} s, down {Seconds(started - stopped)} s, healthy {Seconds(clock.Elapsed - started)} s after the start command, "
            + $"acknowledged while down {acknowledgedWhileDown}", acknowledgedWhileDown);
    }

    private async Task WaitAllHealthyAsync()
    {
        using var timeout = new CancellationTokenSource(RecoveryTimeout);
        foreach (var resource in DistributedAppFixture.HealthyResources)
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what}.");
            await Task.Delay(100);
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
