using HrmsAttendance.Connectors.Leases;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.DingTalkConnector.Monitoring;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>
/// Keeps one stream per tenant with an enabled integration across the replicas: every scan it reads the enabled tenants,
/// takes the lease of each one nobody holds and runs its <see cref="TenantStream"/>; while running, it renews the lease
/// every third of its duration and stops the stream the moment a renewal fails (another replica has it now), when the
/// tenant's settings change (restarted with the new ones) or when the integration is disabled.
/// </summary>
public sealed partial class StreamSupervisor(
    IntegrationSettingsStore settings,
    SettingsProtector protector,
    TenantLease lease,
    StreamStatusStore status,
    TenantStream stream,
    IOptions<DingTalkOptions> options,
    ILogger<StreamSupervisor> logger) : BackgroundService
{
    private sealed record Running(DateTimeOffset SettingsVersion, CancellationTokenSource Stop, Task Task);

    private readonly Dictionary<Guid, Running> _running = [];

    /// <summary>The tenants whose stream this replica runs now (for tests and the status).</summary>
    public IReadOnlyCollection<Guid> RunningTenants { get { lock (_running) return [.. _running.Keys]; } }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TenantScanInterval);
        do
        {
            try { await ScanAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.ScanFailed(logger, e.Message);
            }
        } while (await WaitAsync(timer, stoppingToken));

        List<Running> stopping;
        lock (_running) stopping = [.. _running.Values];
        foreach (var running in stopping) await running.Stop.CancelAsync();
        await Task.WhenAll(stopping.Select(r => r.Task));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    private async Task ScanAsync(CancellationToken ct)
    {
        lock (_running)
            foreach (var (tenant, running) in _running.Where(r => r.Value.Task.IsCompleted).ToList())
                _running.Remove(tenant);

        var enabled = (await settings.EnabledTenantsAsync(ct)).ToHashSet();
        foreach (var tenant in RunningTenants.Where(t => !enabled.Contains(t)))
            await StopAsync(tenant);

        foreach (var tenant in enabled)
        {
            var current = await settings.GetAsync(tenant, ct);
            if (current is not { Enabled: true }) continue;
            Running? running;
            lock (_running) _running.TryGetValue(tenant, out running);
            if (running is not null)
            {
                if (running.SettingsVersion == current.UpdatedAt) continue;
                Log.SettingsChanged(logger, tenant);
                await StopAsync(tenant);
            }
            if (await lease.TryAcquireAsync(tenant, options.Value.LeaseDuration) is not { } grant) continue;
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            lock (_running) _running[tenant] = new Running(current.UpdatedAt, stop, Task.Run(() => HoldAsync(grant, current, stop), CancellationToken.None));
        }
    }

    private async Task StopAsync(Guid tenant)
    {
        Running? running;
        lock (_running) _running.Remove(tenant, out running);
        if (running is null) return;
        await running.Stop.CancelAsync();
        await running.Task;
    }

    /// <summary>Runs the tenant's stream while the lease is this replica's; releases it at the end.</summary>
    private async Task HoldAsync(LeaseGrant grant, IntegrationSettings current, CancellationTokenSource stop)
    {
        Log.LeaseTaken(logger, grant.Tenant, grant.FencingToken);
        try
        {
            await status.ConnectingAsync(grant.Tenant, grant.Holder, grant.FencingToken);
            var secret = protector.Unprotect(grant.Tenant, current.ProtectedSecret);
            var renewal = RenewAsync(grant, stop);
            await stream.RunAsync(grant.Tenant, current.ClientId, secret, stop.Token);
            await stop.CancelAsync();
            await renewal;
        }
        catch (Exception e)
        {
            Log.StreamEnded(logger, grant.Tenant, e.Message);
            try { await status.ErrorAsync(grant.Tenant, e.Message); } catch (Exception) { /* Redis down: the log has it */ }
        }
        finally
        {
            try
            {
                await lease.ReleaseAsync(grant);
                await status.StoppedAsync(grant.Tenant);
            }
            catch (Exception e) { Log.StreamEnded(logger, grant.Tenant, "release: " + e.Message); }
            stop.Dispose();
        }
    }

    private async Task RenewAsync(LeaseGrant grant, CancellationTokenSource stop)
    {
        var every = options.Value.LeaseDuration / 3;
        var unanswered = 0;
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(every, stop.Token); }
            catch (OperationCanceledException) { return; }
            bool renewed;
            try { renewed = await lease.RenewAsync(grant, options.Value.LeaseDuration); unanswered = 0; }
            catch (Exception e)
            {
                // Redis unreachable: keep the stream until the lease would have run out, then stop (another replica may take it).
                Log.RenewFailed(logger, grant.Tenant, e.Message);
                if (++unanswered < 3) continue;
                renewed = false;
            }
            if (!renewed)
            {
                Log.LeaseLost(logger, grant.Tenant, grant.FencingToken);
                await stop.CancelAsync();
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Tenant scan failed: {Reason}")]
        public static partial void ScanFailed(ILogger logger, string reason);

        [LoggerMessage(2, LogLevel.Information, "Took the DingTalk stream lease of tenant {Tenant} (fencing token {Token})")]
        public static partial void LeaseTaken(ILogger logger, Guid tenant, long token);

        [LoggerMessage(3, LogLevel.Warning, "Lost the DingTalk stream lease of tenant {Tenant} (fencing token {Token}); stream stopped")]
        public static partial void LeaseLost(ILogger logger, Guid tenant, long token);

        [LoggerMessage(4, LogLevel.Warning, "Renewing the stream lease of tenant {Tenant} failed: {Reason}")]
        public static partial void RenewFailed(ILogger logger, Guid tenant, string reason);

        [LoggerMessage(5, LogLevel.Warning, "DingTalk stream of tenant {Tenant} ended: {Reason}")]
        public static partial void StreamEnded(ILogger logger, Guid tenant, string reason);

        [LoggerMessage(6, LogLevel.Information, "DingTalk settings of tenant {Tenant} changed; restarting its stream")]
        public static partial void SettingsChanged(ILogger logger, Guid tenant);
    }
}
