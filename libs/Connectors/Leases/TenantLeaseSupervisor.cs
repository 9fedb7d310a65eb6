using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Connectors.Leases;

/// <summary>
/// The loop both connectors run their platform consumers in (DingTalk: a tenant's stream; WeCom: a tenant's poll): every
/// <see cref="ScanInterval"/> the derived class looks at the tenants with an enabled integration and, for one whose lease
/// it takes, <see cref="Run"/>s the consumer. While it runs, the lease is renewed every third of
/// <see cref="LeaseDuration"/>; when a renewal says the lease is no longer this grant's (or Redis stayed unreachable for
/// <see cref="RenewalFailuresTolerated"/> tries in a row) the consumer is cancelled at once; when it ends, the lease is
/// released. On shutdown every consumer is cancelled and awaited.
/// </summary>
public abstract partial class TenantLeaseSupervisor(TenantLease lease, ConnectorProvider provider, TimeProvider time, ILogger logger)
    : BackgroundService
{
    protected TenantLease Lease { get; } = lease;
    protected TimeProvider Time { get; } = time;
    protected ILogger Logger { get; } = logger;
    private readonly string _provider = provider.DisplayName;

    private sealed record Held(DateTimeOffset SettingsVersion, CancellationTokenSource Stop, Task Task);

    private readonly Dictionary<Guid, Held> _running = [];

    protected abstract TimeSpan ScanInterval { get; }
    protected abstract TimeSpan LeaseDuration { get; }

    /// <summary>Renewals that may fail to reach Redis in a row before the consumer is stopped (1: at the first).</summary>
    protected abstract int RenewalFailuresTolerated { get; }

    /// <summary>Looks at the tenants once: stops what must stop, takes leases and runs consumers.</summary>
    protected abstract Task ScanAsync(CancellationToken ct);

    /// <summary>The tenants whose consumer this replica runs now.</summary>
    public IReadOnlyCollection<Guid> RunningTenants { get { lock (_running) return [.. _running.Keys]; } }

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ScanInterval, Time);
        do
        {
            lock (_running)
                foreach (var (tenant, _) in _running.Where(r => r.Value.Task.IsCompleted).ToList())
                    _running.Remove(tenant);
            try { await ScanAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.ScanFailed(Logger, _provider, e.Message);
            }
        } while (await WaitAsync(timer, stoppingToken));

        List<Held> stopping;
        lock (_running) stopping = [.. _running.Values];
        foreach (var held in stopping) await held.Stop.CancelAsync();
        await Task.WhenAll(stopping.Select(h => h.Task));
    }

    /// <summary>The settings version (updated_at) the tenant's running consumer started with; null when none runs here.</summary>
    protected DateTimeOffset? RunningVersion(Guid tenant)
    {
        lock (_running) return _running.TryGetValue(tenant, out var held) ? held.SettingsVersion : null;
    }

    /// <summary>Runs <paramref name="consume"/> for the grant's tenant in the background while the lease is this grant's.</summary>
    protected void Run(LeaseGrant grant, DateTimeOffset settingsVersion, Func<LeaseGrant, CancellationToken, Task> consume, CancellationToken stopping)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        lock (_running)
            _running[grant.Tenant] = new Held(settingsVersion, stop, Task.Run(() => HoldAsync(grant, stop, consume), CancellationToken.None));
    }

    /// <summary>Cancels the tenant's consumer here and waits until it ended and released its lease.</summary>
    protected async Task StopAsync(Guid tenant)
    {
        Held? held;
        lock (_running) _running.Remove(tenant, out held);
        if (held is null) return;
        await held.Stop.CancelAsync();
        await held.Task;
    }

    private async Task HoldAsync(LeaseGrant grant, CancellationTokenSource stop, Func<LeaseGrant, CancellationToken, Task> consume)
    {
        var renewal = RenewAsync(grant, stop);
        try
        {
            await consume(grant, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { /* lease lost, stopped or shutting down */ }
        catch (Exception e)
        {
            Log.ConsumerEnded(Logger, _provider, grant.Tenant, e.Message);
        }
        finally
        {
            await stop.CancelAsync();
            await renewal;
            try { await Lease.ReleaseAsync(grant); }
            catch (Exception e) { Log.ConsumerEnded(Logger, _provider, grant.Tenant, "release: " + e.Message); }
            stop.Dispose();
        }
    }

    private async Task RenewAsync(LeaseGrant grant, CancellationTokenSource stop)
    {
        var every = LeaseDuration / 3;
        var unanswered = 0;
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(every, Time, stop.Token); }
            catch (OperationCanceledException) { return; }
            bool renewed;
            try { renewed = await Lease.RenewAsync(grant, LeaseDuration); unanswered = 0; }
            catch (Exception e)
            {
                // Redis unreachable: keep the consumer while the lease may still be ours, then stop (another replica may take it).
                Log.RenewFailed(Logger, _provider, grant.Tenant, e.Message);
                if (++unanswered < RenewalFailuresTolerated) continue;
                renewed = false;
            }
            if (!renewed)
            {
                Log.LeaseLost(Logger, _provider, grant.Tenant, grant.FencingToken);
                await stop.CancelAsync();
                return;
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Warning, "{Provider} tenant scan failed: {Reason}")]
        public static partial void ScanFailed(ILogger logger, string provider, string reason);

        [LoggerMessage(102, LogLevel.Warning, "Lost the {Provider} lease of tenant {Tenant} (fencing token {Token}); its consumer stopped")]
        public static partial void LeaseLost(ILogger logger, string provider, Guid tenant, long token);

        [LoggerMessage(103, LogLevel.Warning, "Renewing the {Provider} lease of tenant {Tenant} failed: {Reason}")]
        public static partial void RenewFailed(ILogger logger, string provider, Guid tenant, string reason);

        [LoggerMessage(104, LogLevel.Warning, "{Provider} consumer of tenant {Tenant} ended: {Reason}")]
        public static partial void ConsumerEnded(ILogger logger, string provider, Guid tenant, string reason);
    }
}
