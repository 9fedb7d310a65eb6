using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Leases;
using HrmsAttendance.Connectors.Polling;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.WeComConnector.Api;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.WeComConnector.Polling;

/// <summary>
/// Polls each tenant with an enabled integration once per <see cref="WeComOptions.PollInterval"/>, across the replicas:
/// every scan it reads the enabled tenants, and for each one whose last poll is due and whose lease nobody holds, takes
/// the lease and runs a <see cref="TenantPoller"/> (libs/Connectors' <see cref="TenantLeaseSupervisor"/> renews the lease
/// every third of its duration, cancels the poll the moment a renewal fails, and releases it after). Whether a poll is
/// due is read again after the lease is taken, so a replica that arrives just after another's poll does not poll the
/// same window twice.
/// </summary>
public sealed partial class PollSupervisor(
    IntegrationSettingsStore settings,
    SettingsProtector protector,
    TenantLease lease,
    PollCursorStore cursors,
    TenantPoller poller,
    ConnectorProvider provider,
    IOptions<WeComOptions> options,
    TimeProvider time,
    ILogger<PollSupervisor> logger) : TenantLeaseSupervisor(lease, provider, time, logger)
{
    protected override TimeSpan ScanInterval => options.Value.TenantScanInterval;
    protected override TimeSpan LeaseDuration => options.Value.LeaseDuration;

    /// <summary>A poll stops at the first renewal Redis does not answer (the window is polled again later).</summary>
    protected override int RenewalFailuresTolerated => 1;

    protected override async Task ScanAsync(CancellationToken ct)
    {
        foreach (var tenant in await settings.EnabledTenantsAsync(ct))
        {
            if (RunningVersion(tenant) is not null) continue;
            if (!await DueAsync(tenant, ct)) continue;
            if (await Lease.TryAcquireAsync(tenant, LeaseDuration) is not { } grant) continue;
            Run(grant, DateTimeOffset.MinValue, PollAsync, ct);
        }
    }

    private async Task<bool> DueAsync(Guid tenant, CancellationToken ct)
    {
        var cursor = await cursors.ReadAsync(tenant, ct);
        return cursor?.LastPollAt is not { } last || Time.GetUtcNow() - last >= options.Value.PollInterval;
    }

    private async Task PollAsync(LeaseGrant grant, CancellationToken stop)
    {
        if (!await DueAsync(grant.Tenant, stop)) return;
        var current = await settings.GetAsync(grant.Tenant, stop);
        if (current is not { Enabled: true }) return;
        var corp = new WeComCorp(grant.Tenant, current.ClientId, protector.Unprotect(grant.Tenant, current.ProtectedSecret));
        if (!await poller.PollAsync(corp, grant, stop)) Log.Superseded(Logger, grant.Tenant, grant.FencingToken);
    }

    private static partial class Log
    {
        [LoggerMessage(4, LogLevel.Warning, "A later lease holder wrote tenant {Tenant}'s cursor; the poll with fencing token {Token} stopped")]
        public static partial void Superseded(ILogger logger, Guid tenant, long token);
    }
}
