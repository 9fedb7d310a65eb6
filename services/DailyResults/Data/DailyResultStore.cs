using HrmsAttendance.Database;
using Npgsql;

namespace HrmsAttendance.DailyResults.Data;

/// <summary>One row of <c>staffing.daily_attendance_results</c>, every field of seed 004 §5.2.</summary>
public sealed record DailyResultRow(
    Guid PersonUuid, DateOnly WorkDate, string Status, string[] Flags,
    DateTimeOffset? FirstInTime, DateTimeOffset? LastOutTime,
    int WorkedMinutes, int LateMinutes, int EarlyLeaveMinutes,
    string RulesetVersion, DateTimeOffset ComputedAt,
    int InputPunchCount, long? InputMaxPunchEventDbId, DateTimeOffset? InputMaxPunchTime);

/// <summary>
/// The service's only data access: SELECTs on the ledger's daily results, one round trip each, the tenant
/// setting and the statement in one batch (RLS limits every read to that tenant). The role may do nothing else.
/// </summary>
public sealed class DailyResultStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        person_uuid, work_date, status, flags, first_in_time, last_out_time, worked_minutes, late_minutes,
        early_leave_minutes, ruleset_version, computed_at, input_punch_count, input_max_punch_event_db_id, input_max_punch_time
        """;

    /// <summary>A person's results with work_date in [from, to], newest first.</summary>
    public async Task<IReadOnlyList<DailyResultRow>> ListAsync(Guid tenantId, Guid person, DateOnly from, DateOnly to, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenantId);
        batch.Add($"""
            SELECT {Columns}
            FROM staffing.daily_attendance_results
            WHERE tenant_id = $1 AND person_uuid = $2 AND work_date BETWEEN $3 AND $4
            ORDER BY work_date DESC
            LIMIT $5
            """, tenantId, person, from, to, limit);
        return await ReadAllAsync(batch, ct);
    }

    public async Task<DailyResultRow?> GetAsync(Guid tenantId, Guid person, DateOnly workDate, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenantId);
        batch.Add($"""
            SELECT {Columns}
            FROM staffing.daily_attendance_results
            WHERE tenant_id = $1 AND person_uuid = $2 AND work_date = $3
            """, tenantId, person, workDate);
        var rows = await ReadAllAsync(batch, ct);
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task<IReadOnlyList<DailyResultRow>> ReadAllAsync(NpgsqlBatch batch, CancellationToken ct)
    {
        var rows = new List<DailyResultRow>();
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new DailyResultRow(
                reader.GetGuid(0),
                reader.GetFieldValue<DateOnly>(1),
                reader.GetString(2),
                reader.GetFieldValue<string[]>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8),
                reader.GetString(9),
                reader.GetFieldValue<DateTimeOffset>(10),
                reader.GetInt32(11),
                reader.IsDBNull(12) ? null : reader.GetInt64(12),
                reader.IsDBNull(13) ? null : reader.GetFieldValue<DateTimeOffset>(13)));
        }
        return rows;
    }
}
