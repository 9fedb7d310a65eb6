using System.Diagnostics;
using System.Diagnostics.Metrics;
using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Connectors.Parking;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using Microsoft.Extensions.Logging;
using IdentityMappingClient = HrmsAttendance.Contracts.Identity.V1.IdentityMapping.IdentityMappingClient;
using PunchLedgerClient = HrmsAttendance.Contracts.Ledger.V1.PunchLedger.PunchLedgerClient;

namespace HrmsAttendance.Connectors.Pipeline;

/// <summary>
/// What a connector does with the punches a platform sent, for one tenant:
/// <list type="number">
/// <item>resolve their user ids in one <c>ResolveIdentities</c> call;</item>
/// <item>submit the mapped ones in one <c>SubmitPunches</c> call (source_provider, source_event_id, the raw payload, a
/// request_id derived from provider and source event id, so any retry is recorded once);</item>
/// <item>park the unmapped ones in the connector's own table, then count them in identity-mapping's unmapped queue;</item>
/// <item>keep punches the ledger refuses for good (REJECTED) in the same table with the refusal.</item>
/// </list>
/// When <see cref="IngestAsync"/> returns, every punch is durably somewhere (the ledger or the connector's table): only
/// then may the platform be told SUCCESS. A failure to reach a service or the database throws, and nothing is acknowledged
/// (the platform redelivers; everything here is idempotent).
/// </summary>
public sealed partial class PunchPipeline(
    ConnectorProvider provider,
    IdentityMappingClient identity,
    UnretriedIdentityMappingClient unretriedIdentity,
    PunchLedgerClient ledger,
    ParkedPunchStore parked,
    ConnectorCalls calls,
    ConnectorMetrics metrics,
    ILogger<PunchPipeline> logger)
{
    /// <summary>The services' batch limits (ResolveIdentities and SubmitPunches take at most 1,000).</summary>
    public const int MaxBatch = 1000;

    public static readonly ActivitySource ActivitySource = new("HrmsAttendance.Connectors");

    public ConnectorProvider Provider => provider;

    public async Task<IngestResult> IngestAsync(Guid tenant, IReadOnlyList<ExternalPunch> punches, CancellationToken ct)
    {
        // The same platform punch twice in one delivery is one punch.
        var distinct = punches.DistinctBy(p => p.SourceEventId, StringComparer.Ordinal).ToList();
        var total = new IngestResult(0, punches.Count - distinct.Count, 0, 0);
        foreach (var chunk in distinct.Chunk(MaxBatch))
        {
            var result = await IngestChunkAsync(tenant, chunk, ct);
            total = new(total.Recorded + result.Recorded, total.Duplicates + result.Duplicates,
                total.Parked + result.Parked, total.Rejected + result.Rejected);
        }
        return total;
    }

    private async Task<IngestResult> IngestChunkAsync(Guid tenant, IReadOnlyList<ExternalPunch> punches, CancellationToken ct)
    {
        using var activity = ActivitySource.StartActivity($"{provider.Name} ingest");
        activity?.SetTag("attendance.tenant_id", tenant.ToString());
        activity?.SetTag("attendance.punch_count", punches.Count);

        // Resolved without recording: only punches parked now are counted in the unmapped queue (below), so a
        // redelivery of a parked punch does not count it twice.
        var persons = await ResolveAsync(tenant, punches.Select(p => p.ExternalUserId), ct);
        var mapped = punches.Where(p => persons.ContainsKey(p.ExternalUserId)).ToList();
        var unmapped = punches.Where(p => !persons.ContainsKey(p.ExternalUserId)).ToList();

        var (recorded, duplicates, rejected) = await SubmitAsync(tenant, mapped.Select(p => (p, persons[p.ExternalUserId])).ToList(), ct);
        var parkedNow = await ParkAsync(tenant, unmapped, ct);

        metrics.Punches(provider, "recorded", recorded);
        metrics.Punches(provider, "duplicate", duplicates);
        metrics.Punches(provider, "parked", unmapped.Count);
        metrics.Punches(provider, "rejected", rejected);
        activity?.SetTag("attendance.parked_now", parkedNow);
        return new IngestResult(recorded, duplicates, unmapped.Count, rejected);
    }

    /// <summary>
    /// Submits one platform user id's parked punches now that it is linked (ExternalIdentityLinked), and marks them
    /// REPLAYED (or REJECTED with the ledger's refusal). Idempotent: a second replay finds nothing waiting, and a punch
    /// submitted before a crash comes back from the ledger as a duplicate with its event id. When the id has no active
    /// link any more (unlinked since), its punches stay parked.
    /// </summary>
    public async Task<int> ReplayAsync(Guid tenant, string externalUserId, CancellationToken ct)
    {
        using var activity = ActivitySource.StartActivity($"{provider.Name} replay");
        activity?.SetTag("attendance.tenant_id", tenant.ToString());
        var replayed = 0;
        while (true)
        {
            var waiting = await parked.WaitingAsync(tenant, externalUserId, MaxBatch, ct);
            if (waiting.Count == 0) break;
            var persons = await ResolveAsync(tenant, [externalUserId], ct);
            if (!persons.TryGetValue(externalUserId, out var person))
            {
                Log.StillUnmapped(logger, provider.Name, tenant, waiting.Count);
                break;
            }
            var settlements = await SubmitForSettlementAsync(tenant, waiting.Select(w => (w.Punch, person)).ToList(), ct);
            await parked.SettleAsync(tenant, settlements, ct);
            replayed += settlements.Count(s => s.Replayed);
            metrics.Punches(provider, "replayed", settlements.Count(s => s.Replayed));
            metrics.Punches(provider, "rejected", settlements.Count(s => !s.Replayed));
        }
        if (replayed > 0) Log.Replayed(logger, provider.Name, tenant, replayed);
        activity?.SetTag("attendance.replayed", replayed);
        return replayed;
    }

    /// <summary>
    /// What a lost notification or a crash could leave behind for one tenant: waiting punches whose id is linked by now
    /// (the ExternalIdentityLinked was lost or dead-lettered) are replayed; punches parked more than a minute ago that
    /// identity-mapping was never told about (a crash between parking and reporting) are counted now.
    /// </summary>
    public async Task<(int Replayed, int Reported)> SweepAsync(Guid tenant, DateTimeOffset now, CancellationToken ct)
    {
        var replayed = 0;
        var users = await parked.WaitingUsersAsync(tenant, MaxBatch, ct);
        var linked = await ResolveAsync(tenant, users, ct);
        foreach (var user in linked.Keys)
            replayed += await ReplayAsync(tenant, user, ct);

        var unreported = await parked.UnreportedAsync(tenant, now - TimeSpan.FromMinutes(1), MaxBatch, ct);
        if (unreported.Count > 0)
        {
            var report = new ResolveIdentitiesRequest { Provider = provider.Identity, RecordUnmapped = true };
            report.ExternalUserIds.AddRange(unreported.Select(u => u.ExternalUserId));
            await unretriedIdentity.Client.ResolveIdentitiesAsync(report, await calls.ForAsync(tenant, ct));
            await parked.MarkReportedAsync(tenant, unreported.Select(u => u.SourceEventId).ToList(), ct);
        }
        return (replayed, unreported.Count);
    }

    /// <summary>The person of each distinct user id that has an active link.</summary>
    private async Task<Dictionary<string, Guid>> ResolveAsync(Guid tenant, IEnumerable<string> externalUserIds, CancellationToken ct)
    {
        var request = new ResolveIdentitiesRequest { Provider = provider.Identity, RecordUnmapped = false };
        request.ExternalUserIds.AddRange(externalUserIds.Distinct(StringComparer.Ordinal));
        if (request.ExternalUserIds.Count == 0) return [];
        var response = await identity.ResolveIdentitiesAsync(request, await calls.ForAsync(tenant, ct));
        return response.Results
            .Where(r => r.PersonUuid.Length > 0)
            .ToDictionary(r => r.ExternalUserId, r => Guid.Parse(r.PersonUuid), StringComparer.Ordinal);
    }

    private async Task<(int Recorded, int Duplicates, int Rejected)> SubmitAsync(
        Guid tenant, IReadOnlyList<(ExternalPunch Punch, Guid Person)> punches, CancellationToken ct)
    {
        if (punches.Count == 0) return (0, 0, 0);
        var response = await ledger.SubmitPunchesAsync(ToRequest(punches), await calls.ForAsync(tenant, ct));
        var refused = response.Outcomes
            .Where(o => o.Outcome == PunchOutcomeKind.Rejected)
            .Select(o => new Settlement(punches[o.Index].Punch, punches[o.Index].Person, null, o.ErrorCode, o.ErrorMessage))
            .ToList();
        if (refused.Count > 0)
        {
            await parked.SettleAsync(tenant, refused, ct);
            foreach (var r in refused) Log.Rejected(logger, provider.Name, tenant, r.Punch.SourceEventId, r.ErrorCode ?? "");
        }
        return (response.AcceptedCount, response.DuplicateCount, response.RejectedCount);
    }

    private async Task<IReadOnlyList<Settlement>> SubmitForSettlementAsync(
        Guid tenant, IReadOnlyList<(ExternalPunch Punch, Guid Person)> punches, CancellationToken ct)
    {
        var response = await ledger.SubmitPunchesAsync(ToRequest(punches), await calls.ForAsync(tenant, ct));
        return response.Outcomes.Select(o =>
        {
            var (punch, person) = punches[o.Index];
            return o.Outcome == PunchOutcomeKind.Rejected
                ? new Settlement(punch, person, null, o.ErrorCode, o.ErrorMessage)
                : new Settlement(punch, person, Guid.Parse(o.EventId), null, null);
        }).ToList();
    }

    private SubmitPunchesRequest ToRequest(IReadOnlyList<(ExternalPunch Punch, Guid Person)> punches)
    {
        var request = new SubmitPunchesRequest();
        request.Punches.AddRange(punches.Select(p => new PunchInput
        {
            PersonUuid = p.Person.ToString("D"),
            PunchTime = Timestamp.FromDateTimeOffset(p.Punch.PunchTime),
            PunchType = p.Punch.Type,
            SourceProvider = provider.Source,
            SourceEventId = p.Punch.SourceEventId,
            RequestId = provider.RequestIdFor(p.Punch.SourceEventId),
            PayloadJson = p.Punch.PayloadJson,
        }));
        return request;
    }

    /// <summary>
    /// Parks the unmapped punches, then tells identity-mapping about the ones parked now (ResolveIdentities with
    /// record_unmapped, one occurrence per punch: its parked_punch_count), then marks them reported. That second resolve
    /// also closes a race: an id linked between the first resolve and the parking commit may have had its
    /// ExternalIdentityLinked consumed before the punch was parked; if the id resolves now, the punch is replayed here.
    /// </summary>
    private async Task<int> ParkAsync(Guid tenant, IReadOnlyList<ExternalPunch> unmapped, CancellationToken ct)
    {
        if (unmapped.Count == 0) return 0;
        var parkedNow = await parked.ParkAsync(tenant, unmapped, ct);
        if (parkedNow.Count == 0) return 0;
        var parkedSet = parkedNow.ToHashSet(StringComparer.Ordinal);
        var report = new ResolveIdentitiesRequest { Provider = provider.Identity, RecordUnmapped = true };
        report.ExternalUserIds.AddRange(unmapped.Where(p => parkedSet.Contains(p.SourceEventId)).Select(p => p.ExternalUserId));
        // Not retried by the HTTP resilience handler: a retry after a lost answer would count the punches twice.
        var response = await unretriedIdentity.Client.ResolveIdentitiesAsync(report, await calls.ForAsync(tenant, ct));
        await parked.MarkReportedAsync(tenant, parkedNow, ct);
        foreach (var linkedMeanwhile in response.Results.Where(r => r.PersonUuid.Length > 0).Select(r => r.ExternalUserId).Distinct(StringComparer.Ordinal))
            await ReplayAsync(tenant, linkedMeanwhile, ct);
        return parkedNow.Count;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Provider}: replayed {Count} parked punches of tenant {Tenant}")]
        public static partial void Replayed(ILogger logger, string provider, Guid tenant, int count);

        [LoggerMessage(2, LogLevel.Warning, "{Provider}: the ledger refused punch {SourceEventId} of tenant {Tenant} ({Code}); kept as REJECTED")]
        public static partial void Rejected(ILogger logger, string provider, Guid tenant, string sourceEventId, string code);

        [LoggerMessage(3, LogLevel.Information, "{Provider}: {Count} parked punches of tenant {Tenant} wait for a link that is not active any more")]
        public static partial void StillUnmapped(ILogger logger, string provider, Guid tenant, int count);
    }
}

/// <summary>identity-mapping's client without the HTTP resilience handler, for its one call that is not idempotent.</summary>
public sealed record UnretriedIdentityMappingClient(IdentityMappingClient Client);

/// <summary>The connectors' own metrics (meter <c>HrmsAttendance.Connectors</c>).</summary>
public sealed class ConnectorMetrics : IDisposable
{
    public const string MeterName = "HrmsAttendance.Connectors";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _punches;
    private readonly Counter<long> _frames;

    public ConnectorMetrics()
    {
        _punches = _meter.CreateCounter<long>("connector.punches", description: "Platform punches by what became of them (recorded, duplicate, parked, replayed, rejected)");
        _frames = _meter.CreateCounter<long>("connector.frames", description: "Frames/events received from the platform by kind and acknowledgement");
    }

    public void Punches(ConnectorProvider provider, string outcome, int count)
    {
        if (count > 0)
            _punches.Add(count, new KeyValuePair<string, object?>("provider", provider.Name), new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Frame(ConnectorProvider provider, string kind, string ack) =>
        _frames.Add(1, new KeyValuePair<string, object?>("provider", provider.Name), new KeyValuePair<string, object?>("kind", kind),
            new KeyValuePair<string, object?>("ack", ack));

    public void Dispose() => _meter.Dispose();
}
