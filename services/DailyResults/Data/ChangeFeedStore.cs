using System.Text.Json;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Database;
using Npgsql;

namespace HrmsAttendance.DailyResults.Data;

/// <summary>One stored change of a daily result (<c>results.daily_result_changes</c>).</summary>
public sealed record DailyResultChangeRow(
    long ChangeSequence, Guid MessageId, Guid PersonUuid, DateOnly WorkDate, string Status, string[] Flags,
    int InputPunchCount, long InputMaxPunchEventSequence, DateTimeOffset OccurredAt);

/// <summary>What a watcher asked for: one person or all, a date range or none.</summary>
public sealed record ChangeFilter(Guid? Person, DateOnly? From, DateOnly? To);

/// <summary>
/// The change feed (schema <c>results</c>, migrations in Database/Migrations): stores each DailyResultChanged once
/// (by message id) through <c>results.record_daily_result_changes</c>, and reads a tenant's changes after a sequence.
/// </summary>
public sealed class ChangeFeedStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Stores a batch of changes (of any tenants) in one transaction, each tenant's in one call; returns the sequences of
    /// the changes stored now, by message id (a message stored before is not among them; one repeated in the batch is
    /// stored once).
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, long>> RecordAsync(IReadOnlyCollection<DailyResultChanged> changes, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var stored = new Dictionary<Guid, long>();
        foreach (var tenant in changes.GroupBy(change => change.TenantId))
        {
            await using var batch = TenantScopedBatch.Create(connection, tenant.Key);
            var record = batch.Add("SELECT message_id, change_sequence FROM results.record_daily_result_changes($1, $2)",
                tenant.Key, JsonSerializer.Serialize(tenant.Select(ChangeJson.From), ChangeJson.Options));
            record.Parameters[1].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb;
            await using var reader = await batch.ExecuteTenantReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                stored[reader.GetGuid(0)] = reader.GetInt64(1);
        }
        await transaction.CommitAsync(ct);
        return stored;
    }

    /// <summary>One change as <c>results.record_daily_result_changes</c> reads it.</summary>
    private sealed record ChangeJson(
        Guid MessageId, Guid PersonUuid, DateOnly WorkDate, string Status, IReadOnlyList<string> Flags,
        int InputPunchCount, long InputMaxPunchEventSequence, DateTimeOffset OccurredAt)
    {
        public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

        public static ChangeJson From(DailyResultChanged change) => new(
            change.MessageId, change.PersonUuid, change.WorkDate, change.Status, change.Flags,
            change.InputPunchCount, change.InputMaxPunchEventSequence, change.OccurredAt);
    }

    /// <summary>Up to <paramref name="limit"/> of the tenant's changes after <paramref name="after"/>, in sequence order.</summary>
    public async Task<IReadOnlyList<DailyResultChangeRow>> ReadAfterAsync(Guid tenantId, long after, ChangeFilter filter, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenantId);
        batch.Add("""
            SELECT change_sequence, message_id, person_uuid, work_date, status, flags, input_punch_count,
                   input_max_punch_event_sequence, occurred_at
            FROM results.daily_result_changes
            WHERE tenant_id = $1 AND change_sequence > $2
              AND ($3::uuid IS NULL OR person_uuid = $3)
              AND ($4::date IS NULL OR work_date >= $4)
              AND ($5::date IS NULL OR work_date <= $5)
            ORDER BY change_sequence
            LIMIT $6
            """, tenantId, after, filter.Person, filter.From, filter.To, limit);
        batch.BatchCommands[1].Parameters[2].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid;
        batch.BatchCommands[1].Parameters[3].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date;
        batch.BatchCommands[1].Parameters[4].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date;
        var rows = new List<DailyResultChangeRow>();
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new DailyResultChangeRow(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetFieldValue<DateOnly>(3), reader.GetString(4),
                reader.GetFieldValue<string[]>(5), reader.GetInt32(6), reader.GetInt64(7), reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return rows;
    }

    /// <summary>The newest sequence of the tenant's feed (0 when empty), and the horizon below which changes were pruned.</summary>
    public async Task<(long Newest, long PrunedThrough)> PositionAsync(Guid tenantId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenantId);
        batch.Add("""
            SELECT coalesce((SELECT max(change_sequence) FROM results.daily_result_changes WHERE tenant_id = $1), 0),
                   (SELECT pruned_through FROM results.change_feed_horizon)
            """, tenantId);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Deletes changes stored before <paramref name="before"/>, in chunks; returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken ct)
    {
        const int chunk = 10_000;
        var total = 0;
        int pruned;
        do
        {
            await using var command = dataSource.CreateCommand("SELECT results.prune_daily_result_changes($1, $2)");
            command.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter { Value = chunk });
            pruned = (int)(await command.ExecuteScalarAsync(ct))!;
            total += pruned;
        } while (pruned == chunk);
        return total;
    }
}
