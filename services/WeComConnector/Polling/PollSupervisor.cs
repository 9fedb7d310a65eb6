using HrmsAttendance.Connectors.Leases;
using HrmsAttendance.Connectors.Polling;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.WeComConnector.Api;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.WeComConnector.Polling;

/// <summary>
/// Polls each tenant with an enabled integration once per <see cref="WeComOptions.PollInterval"/>, across the replicas:
/// every scan it reads the enabled tenants, and for each one whose last poll is due and whose lease nobody holds, takes
/// the lease and runs a <see cref="TenantPoller"/> (renewing the lease every third of its duration, cancelling the poll
/// the moment a renewal fails), then releases it. Whether a poll is due is read again after the lease is taken, so a
/// replica that arrives just after another's poll does not poll the same window twice.
/// </summary>
public sealed partial class PollSupervisor(
    IntegrationSettingsStore settings,
    SettingsProtector protector,
    TenantLease lease,
    PollCursorStore cursors,
    TenantPoller poller,
    IOptions<WeComOptions> options,
    TimeProvider time,
    ILogger<PollSupervisor> logger) : BackgroundService
{
    private readonly Dictionary<Guid, Task> _polling = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TenantScanInterval, time);
        do
        {
            try { await ScanAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.ScanFailed(logger, e.Message);
            }
        } while (await WaitAsync(timer, stoppingToken));

        Task[] running;
        lock (_polling) running = [.. _polling.Values];
        await Task.WhenAll(running);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    private async Task ScanAsync(CancellationToken ct)
    {
        lock (_polling)
            foreach (var done in _polling.Where(p => p.Value.IsCompleted).Select(p => p.Key).ToList())
                _polling.Remove(done);

        foreach (var tenant in await settings.EnabledTenantsAsync(ct))
        {
            lock (_polling) if (_polling.ContainsKey(tenant)) continue;
            if (!await DueAsync(tenant, ct)) continue;
            if (await lease.TryAcquireAsync(tenant, options.Value.LeaseDuration) is not { } grant) continue;
            var task = Task.Run(() => HoldAsync(grant, ct), CancellationToken.None);
            lock (_polling) _polling[tenant] = task;
        }
    }

    private async Task<bool> DueAsync(Guid tenant, CancellationToken ct)
    {
        var cursor = await cursors.ReadAsync(tenant, ct);
        return cursor?.LastPollAt is not { } last || time.GetUtcNow() - last >= options.Value.PollInterval;
    }

    private async Task HoldAsync(LeaseGrant grant, CancellationToken stopping)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Task? renewal = null;
        try
        {
            if (!await DueAsync(grant.Tenant, stop.Token)) return;
            var current = await settings.GetAsync(grant.Tenant, stop.Token);
            if (current is not { Enabled: true }) return;
            var corp = new WeComCorp(grant.Tenant, current.ClientId, protector.Unprotect(grant.Tenant, current.ProtectedSecret));
            renewal = RenewAsync(grant, stop);
            if (!await poller.PollAsync(corp, grant, stop.Token)) Log.Superseded(logger, grant.Tenant, grant.FencingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            Log.PollEnded(logger, grant.Tenant, e.Message);
        }
        catch (OperationCanceledException) { /* shutting down */ }
        finally
        {
            await stop.CancelAsync();
            if (renewal is not null) await renewal;
            try { await lease.ReleaseAsync(grant); }
            catch (Exception e) { Log.PollEnded(logger, grant.Tenant, "release: " + e.Message); }
        }
    }

    private async Task RenewAsync(LeaseGrant grant, CancellationTokenSource stop)
    {
        var every = options.Value.LeaseDuration / 3;
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(every, time, stop.Token); }
            catch (OperationCanceledException) { return; }
            bool renewed;
            try { renewed = await lease.RenewAsync(grant, options.Value.LeaseDuration); }
            catch (Exception e)
            {
                Log.PollEnded(logger, grant.Tenant, "renewal: " + e.Message);
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
        [LoggerMessage(1, LogLevel.Warning, "WeCom tenant scan failed: {Reason}")]
        public static partial void ScanFailed(ILogger logger, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Lost the WeCom poll lease of tenant {Tenant} (fencing token {Token}); poll cancelled")]
        public static partial void LeaseLost(ILogger logger, Guid tenant, long token);

        [LoggerMessage(3, LogLevel.Warning, "WeCom poll of tenant {Tenant} ended: {Reason}")]
        public static partial void PollEnded(ILogger logger, Guid tenant, string reason);

        [LoggerMessage(4, LogLevel.Warning, "A later lease holder wrote tenant {Tenant}'s cursor; the poll with fencing token {Token} stopped")]
        public static partial void Superseded(ILogger logger, Guid tenant, long token);
    }
}
