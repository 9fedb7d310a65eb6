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

    /// <summary>The resource's stop command; returns once DCP reports it stopped.</summary>
    public static async Task StopAsync(DistributedApplication app, string resource, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var stop = await app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cancel.Token);
        Assert.True(stop.Success, stop.Message);
        await app.ResourceNotifications.WaitForResourceAsync(resource, e => e.Snapshot.State?.Text is "Exited" or "Finished", cancel.Token);
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
