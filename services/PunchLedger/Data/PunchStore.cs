using System.Runtime.CompilerServices;
using HrmsAttendance.Database;
using HrmsAttendance.Messaging.Outbox;
using Npgsql;
using NpgsqlTypes;

namespace HrmsAttendance.PunchLedger.Data;

public sealed record SubmitResult(Guid EventId, bool Duplicate);

public sealed record BatchRowOutcome(int Ordinal, Guid? EventId, string Outcome, string? ErrorCode);

public sealed record PunchRecord(
    long Sequence, Guid EventId, Guid PersonUuid, DateTimeOffset PunchTime, string PunchType, string SourceProvider,
    string? SourceEventId, string RequestId, string PayloadJson, string? InitiatorId, DateTimeOffset RecordedAt);

/// <summary>
/// The ledger's only data access. Writes go through the kernel's doors
/// (<c>staffing.submit_time_punch_event</c> and its batch twin), which record the event and
/// recompute the daily results in one transaction; the service's role may do nothing else.
/// Every call is one round trip: the tenant setting and the statement travel in one batch (for a
/// single punch, in one statement). Every write that records something wakes the outbox relay, whose notifications then
/// leave at once.
/// </summary>
public sealed class PunchStore(NpgsqlDataSource dataSource, OutboxSignal? outboxWritten = null)
{
    public async Task<SubmitResult> SubmitAsync(Guid tenantId, string? initiatorId, PunchCommand punch, CancellationToken ct)
    {
        // One statement rather than a tenant batch: the hot path pays for one parse, plan and executor
        // run instead of two. The door's tenant argument is set_config's result, so the LATERAL call
        // cannot run before the (transaction-local) settings are made; the subquery keeps both
        // set_configs (volatile: Postgres neither flattens it nor drops the unused column).
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT d.event_uuid, d.duplicate
            FROM (SELECT set_config('app.current_tenant', $1, true) AS tenant,
                         set_config('app.trace_parent', $10, true) AS trace_parent) AS t
            CROSS JOIN LATERAL staffing.submit_time_punch_event(t.tenant::uuid, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) AS d
            """, connection);
        foreach (var value in new object?[]
                 {
                     tenantId.ToString(), punch.PersonUuid, punch.PunchTime.UtcDateTime, punch.PunchType,
                     punch.SourceProvider, punch.SourceEventId, punch.RequestId, punch.PayloadJson, initiatorId,
                     TenantScopedBatch.CurrentTraceParent(),
                 })
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        SubmitResult result;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            result = new SubmitResult(reader.GetGuid(0), reader.GetBoolean(1));
        }
        if (!result.Duplicate) outboxWritten?.Notify();
        return result;
    }

    public async Task<IReadOnlyList<BatchRowOutcome>> SubmitBatchAsync(
        Guid tenantId, string? initiatorId, IReadOnlyList<PunchCommand> punches, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenantId);
        var command = batch.Add("""
            SELECT ordinal, event_uuid, outcome, error_code
            FROM staffing.submit_time_punch_events($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ORDER BY ordinal
            """,
            tenantId,
            punches.Select(p => p.PersonUuid).ToArray(),
            punches.Select(p => p.PunchTime.UtcDateTime).ToArray(),
            punches.Select(p => p.PunchType).ToArray(),
            punches.Select(p => p.SourceProvider).ToArray(),
            punches.Select(p => p.SourceEventId).ToArray(),
            punches.Select(p => p.RequestId).ToArray(),
            punches.Select(p => p.PayloadJson).ToArray(),
            initiatorId);
        command.Parameters[7].NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb;

        var outcomes = new List<BatchRowOutcome>(punches.Count);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            outcomes.Add(new BatchRowOutcome(
                reader.GetInt32(0),
                reader.IsDBNull(1) ? null : reader.GetGuid(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        if (outcomes.Any(o => o.Outcome == "ACCEPTED")) outboxWritten?.Notify();
        return outcomes;
    }

    /// <summary>A person's punches with punch_time in [from, to), oldest first.</summary>
    public async IAsyncEnumerable<PunchRecord> ListAsync(
        Guid tenantId, Guid personUuid, DateTimeOffset from, DateTimeOffset to, int limit,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenantId);
        batch.Add("""
            SELECT id, event_uuid, person_uuid, punch_time, punch_type, source_provider, source_event_id,
                   request_id, payload::text, initiator_id, created_at
            FROM staffing.time_punch_events
            WHERE tenant_id = $1 AND person_uuid = $2 AND punch_time >= $3 AND punch_time < $4
            ORDER BY punch_time, id
            LIMIT $5
            """,
            tenantId, personUuid, from.UtcDateTime, to.UtcDateTime, limit);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new PunchRecord(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7), reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetFieldValue<DateTimeOffset>(10));
        }
    }
}
