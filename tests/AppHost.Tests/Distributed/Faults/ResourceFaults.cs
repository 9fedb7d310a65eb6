using System.Diagnostics;

namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>Faults an operator would meet, injected through the OS and Aspire's resource commands.</summary>
internal static class ResourceFaults
{
    /// <summary>
    /// SIGKILL of a project's service process itself (DCP's process is its `dotnet run` wrapper), then Aspire's restart
    /// command, as an operator would give it on the dashboard (DCP does not restart a project that died). Returns how
    /// long DCP took to see the exit; returns once the resource is Healthy again, as a new process.
    /// </summary>
    public static async Task<TimeSpan> KillAndRestartAsync(DistributedApplication app, string resource, string assemblyName, TimeSpan timeout)
    {
        var running = await app.WaitHealthyAsync(resource, TimeSpan.FromSeconds(60));
        var pid = running.ProcessId() ?? throw new InvalidOperationException($"DCP reported no pid for {resource}.");
        var service = ProcessTree.DescendantsOf(pid).Single(p => p.CommandLine.Contains(assemblyName, StringComparison.Ordinal)
                                                                && !p.CommandLine.Contains("dotnet run", StringComparison.Ordinal));
        using var cancel = new CancellationTokenSource(timeout);
        var clock = Stopwatch.StartNew();
        using (var victim = Process.GetProcessById(service.Pid))
            victim.Kill();
        await app.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", cancel.Token);
        var exited = clock.Elapsed;
        var restart = await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.RestartCommand, cancel.Token);
        Assert.True(restart.Success, restart.Message);
        var after = await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancel.Token);
        Assert.NotEqual(pid, after.ProcessId()); // a new process, not the old one still reported
        Assert.False(ProcessTree.IsAlive(service));
        return exited;
    }

    /// <summary>
    /// The resource's stop command, given again (up to three times) when it answers that it failed and the resource is
    /// not stopped, as an operator would press stop again; returns once DCP reports it stopped. (In a clean-clone CI run on
    /// 2026-12-06 a stop of punch-ledger answered "Failed to stop resource", and every later test on that topology failed.)
    /// </summary>
    public static async Task StopAsync(DistributedApplication app, string resource, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        static bool Stopped(ResourceEvent e) => e.Snapshot.State?.Text is "Exited" or "Finished";
        for (var attempt = 1; ; attempt++)
        {
            var stop = await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cancel.Token);
            if (stop.Success) break;
            if (app.ResourceNotifications.TryGetCurrentState(resource, out var state) && Stopped(state)) break;
            Assert.True(attempt < 3, $"{resource} was not stopped after {attempt} stop commands: {stop.Message}");
            await Task.Delay(TimeSpan.FromSeconds(1), cancel.Token);
        }
        await app.ResourceNotifications.WaitForResourceAsync(resource, Stopped, cancel.Token);
    }

    /// <summary>The resource's start command; returns once it is Healthy.</summary>
    public static async Task StartAsync(DistributedApplication app, string resource, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var start = await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancel.Token);
        Assert.True(start.Success, start.Message);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancel.Token);
    }
}
