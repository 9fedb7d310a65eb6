using HrmsAttendance.Database;
using Npgsql;

namespace HrmsAttendance.PunchLedger.Audit;

public sealed record AuditEntryRecord(
    long Id, DateTimeOffset OccurredAt, string Actor, string Service, string Action, string ObjectType, string? ObjectId,
    string DetailsJson, string? TraceParent);

/// <summary>What to list: every filter optional; <see cref="ActionPrefix"/> ends with a dot for "all of an object's actions".</summary>
public sealed record AuditFilter(DateTimeOffset? From, DateTimeOffset? To, string? Actor, string? Action, string? ObjectId)
{
    public bool ActionIsPrefix => Action is { } action && action.EndsWith('.');
}

/// <summary>
/// Reads the audit log (audit.entries, migration 0019) under the tenant's RLS, and purges what is past the retention
/// period. Nothing here writes an entry: the tables' triggers do, with every write.
/// </summary>
public sealed class AuditLogStore(NpgsqlDataSource dataSource)
{
    /// <summary>Newest first, entries with an id below <paramref name="beforeId"/> when given.</summary>
    public async Task<List<AuditEntryRecord>> ListAsync(Guid tenant, AuditFilter filter, long? beforeId, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add("""
            SELECT id, occurred_at, actor, service, action, object_type, object_id, details::text, trace_parent
            FROM audit.entries
            WHERE tenant_id = $1
              AND ($2::bigint IS NULL OR id < $2::bigint)
              AND ($3::timestamptz IS NULL OR occurred_at >= $3::timestamptz)
              AND ($4::timestamptz IS NULL OR occurred_at < $4::timestamptz)
              AND ($5::text IS NULL OR actor = $5::text)
              AND ($6::text IS NULL OR ($7 AND starts_with(action, $6::text)) OR (NOT $7 AND action = $6::text))
              AND ($8::text IS NULL OR object_id = $8::text)
            ORDER BY id DESC
            LIMIT $9
            """,
            tenant, beforeId, filter.From?.UtcDateTime, filter.To?.UtcDateTime, filter.Actor, filter.Action, filter.ActionIsPrefix,
            filter.ObjectId, limit);
        var rows = new List<AuditEntryRecord>();
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new AuditEntryRecord(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        return rows;
    }

    /// <summary>Deletes every tenant's entries older than <paramref name="keepDays"/> days; returns how many.</summary>
    public async Task<long> PurgeExpiredAsync(int keepDays, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("SELECT audit.purge_expired($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = keepDays });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
