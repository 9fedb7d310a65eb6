using System.Diagnostics;
using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Leases;
using HrmsAttendance.Connectors.Pipeline;
using HrmsAttendance.Connectors.Polling;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.WeComConnector.Api;
using Microsoft.Extensions.Options;
using IdentityDirectoryClient = HrmsAttendance.Contracts.Identity.V1.IdentityDirectory.IdentityDirectoryClient;

namespace HrmsAttendance.WeComConnector.Polling;

/// <summary>
/// One tenant's poll while this replica holds its lease: the window runs from an overlap before the cursor (records
/// WeCom reports late) to now, at most <see cref="WeComOptions.MaxWindow"/> at a time (a longer gap is caught up window
/// by window); the users are the tenant's WeCom links, paged 100 at a time from identity-mapping (one getcheckindata per
/// page); each page's punches go through the pipeline before the next page is asked for. Only when every page is
/// stored does the cursor move to the window's end; a failure leaves it, and the same window is polled again (the
/// pipeline is idempotent by (userid, checkin_time, checkin_type)).
/// </summary>
public sealed partial class TenantPoller(
    WeComClient wecom,
    IdentityDirectoryClient directory,
    ConnectorCalls calls,
    PunchPipeline pipeline,
    PollCursorStore cursors,
    IOptions<WeComOptions> options,
    TimeProvider time,
    ILogger<TenantPoller> logger)
{
    public static readonly ActivitySource ActivitySource = new("HrmsAttendance.WeComConnector");

    /// <summary>Polls windows until the cursor reaches now; false when a later lease holder wrote the cursor (stop).</summary>
    public async Task<bool> PollAsync(WeComCorp corp, LeaseGrant grant, CancellationToken ct)
    {
        while (true)
        {
            var cursor = await cursors.ReadAsync(corp.Tenant, ct);
            if (cursor is not null && cursor.FencingToken > grant.FencingToken) return false;
            var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
            var from = (cursor?.PolledUntil ?? now - options.Value.InitialLookback) - options.Value.Overlap;
            var window = options.Value.MaxWindow < WeComApi.MaxSpan ? options.Value.MaxWindow : WeComApi.MaxSpan;
            var to = from + window < now ? from + window : now;
            if (to <= from) return true;

            PollOutcome outcome;
            try
            {
                outcome = await PollWindowAsync(corp, from, to, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                Log.PollFailed(logger, corp.Tenant, e.Message);
                await cursors.FailedAsync(corp.Tenant, grant.FencingToken, grant.Holder, e.Message, CancellationToken.None);
                return true;
            }
            if (!await cursors.SucceededAsync(corp.Tenant, grant.FencingToken, grant.Holder, outcome, ct)) return false;
            if (to >= now) return true;
        }
    }

    private async Task<PollOutcome> PollWindowAsync(WeComCorp corp, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        using var activity = ActivitySource.StartActivity("WECOM poll");
        activity?.SetTag("attendance.tenant_id", corp.Tenant.ToString());
        activity?.SetTag("attendance.window_start", from.ToString("O"));
        activity?.SetTag("attendance.window_end", to.ToString("O"));
        int records = 0, punches = 0, noPunch = 0, unreadable = 0;
        var pageToken = "";
        do
        {
            var page = await directory.ListLinkedUserIdsAsync(new ListLinkedUserIdsRequest
            {
                Provider = IdentityProvider.Wecom,
                PageSize = WeComApi.MaxUsersPerCall,
                PageToken = pageToken,
            }, await calls.ForAsync(corp.Tenant, ct));
            pageToken = page.NextPageToken;
            if (page.ExternalUserIds.Count == 0) break;

            var rows = await wecom.GetCheckinDataAsync(corp, from, to, page.ExternalUserIds, ct);
            var parsed = CheckinRecords.Parse(rows);
            foreach (var problem in parsed.Unreadable) Log.Unreadable(logger, corp.Tenant, problem);
            await pipeline.IngestAsync(corp.Tenant, parsed.Punches, ct);
            records += rows.Count;
            punches += parsed.Punches.Count;
            noPunch += parsed.NoPunchRows;
            unreadable += parsed.Unreadable.Count;
        } while (pageToken.Length > 0);
        activity?.SetTag("attendance.records", records);
        activity?.SetTag("attendance.punch_count", punches);
        return new PollOutcome(from, to, records, punches, noPunch, unreadable);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "WeCom poll of tenant {Tenant} failed, its cursor stays: {Reason}")]
        public static partial void PollFailed(ILogger logger, Guid tenant, string reason);

        [LoggerMessage(2, LogLevel.Warning, "WeCom sent tenant {Tenant} {Problem}; kept out of the ledger")]
        public static partial void Unreadable(ILogger logger, Guid tenant, string problem);
    }
}
