using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Leases;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.DingTalkConnector.Monitoring;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>
/// Keeps one stream per tenant with an enabled integration across the replicas: every scan it reads the enabled tenants,
/// takes the lease of each one nobody holds and runs its <see cref="TenantStream"/> (libs/Connectors'
/// <see cref="TenantLeaseSupervisor"/> renews the lease and stops the stream the moment a renewal fails: another replica
/// has it now); a running stream is stopped when the tenant's settings change (restarted with the new ones) or when the
/// integration is disabled.
/// </summary>
public sealed partial class StreamSupervisor(
    IntegrationSettingsStore settings,
    SettingsProtector protector,
    TenantLease lease,
    StreamStatusStore status,
    TenantStream stream,
    ConnectorProvider provider,
    IOptions<DingTalkOptions> options,
    TimeProvider time,
    ILogger<StreamSupervisor> logger) : TenantLeaseSupervisor(lease, provider, time, logger)
{
    protected override TimeSpan ScanInterval => options.Value.TenantScanInterval;
    protected override TimeSpan LeaseDuration => options.Value.LeaseDuration;

    /// <summary>A stream survives Redis being away for two renewals (a third of the lease each), not longer.</summary>
    protected override int RenewalFailuresTolerated => 3;

    protected override async Task ScanAsync(CancellationToken ct)
    {
        var enabled = (await settings.EnabledTenantsAsync(ct)).ToHashSet();
        foreach (var tenant in RunningTenants.Where(t => !enabled.Contains(t)))
            await StopAsync(tenant);

        foreach (var tenant in enabled)
        {
            var current = await settings.GetAsync(tenant, ct);
            if (current is not { Enabled: true }) continue;
            if (RunningVersion(tenant) is { } version)
            {
                if (version == current.UpdatedAt) continue;
                Log.SettingsChanged(Logger, tenant);
                await StopAsync(tenant);
            }
            if (await Lease.TryAcquireAsync(tenant, LeaseDuration) is not { } grant) continue;
            Run(grant, current.UpdatedAt, (held, stop) => StreamAsync(held, current, stop), ct);
        }
    }

    /// <summary>The tenant's stream while the lease is this replica's; its status says where it stands.</summary>
    private async Task StreamAsync(LeaseGrant grant, IntegrationSettings current, CancellationToken stop)
    {
        Log.LeaseTaken(Logger, grant.Tenant, grant.FencingToken);
        try
        {
            await status.ConnectingAsync(grant.Tenant, grant.Holder, grant.FencingToken);
            var secret = protector.Unprotect(grant.Tenant, current.ProtectedSecret);
            await stream.RunAsync(grant.Tenant, current.ClientId, secret, stop);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            Log.StreamEnded(Logger, grant.Tenant, e.Message);
            try { await status.ErrorAsync(grant.Tenant, e.Message); } catch (Exception) { /* Redis down: the log has it */ }
        }
        finally
        {
            try { await status.StoppedAsync(grant.Tenant); }
            catch (Exception e) { Log.StreamEnded(Logger, grant.Tenant, "status: " + e.Message); }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Information, "Took the DingTalk stream lease of tenant {Tenant} (fencing token {Token})")]
        public static partial void LeaseTaken(ILogger logger, Guid tenant, long token);

        [LoggerMessage(5, LogLevel.Warning, "DingTalk stream of tenant {Tenant} ended: {Reason}")]
        public static partial void StreamEnded(ILogger logger, Guid tenant, string reason);

        [LoggerMessage(6, LogLevel.Information, "DingTalk settings of tenant {Tenant} changed; restarting its stream")]
        public static partial void SettingsChanged(ILogger logger, Guid tenant);
    }
}
