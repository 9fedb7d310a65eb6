using HrmsAttendance.Connectors.Integration;
using HrmsAttendance.Database;
using Npgsql;

namespace HrmsAttendance.Connectors.Polling;

/// <summary>A tenant's poll cursor and the last poll's outcome (<c>{schema}.poll_cursors</c>).</summary>
public sealed record PollCursor(
    Guid Tenant,
    DateTimeOffset? PolledUntil,
    long FencingToken,
    DateTimeOffset? LastPollAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastWindowStart,
    DateTimeOffset? LastWindowEnd,
    int LastRecords,
    int LastPunches,
    int LastNoPunchRows,
    int LastUnreadable,
    long Polls,
    long Failures,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    string? Holder);

/// <summary>What one completed window held.</summary>
public sealed record PollOutcome(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int Records, int Punches, int NoPunchRows, int Unreadable);

/// <summary>
/// The connector's poll cursors, one row per tenant under its RLS. Writes carry the lease's fencing token and change
/// nothing when a later holder has written (a larger token): false is returned, and the writer stops.
/// </summary>
public sealed class PollCursorStore(NpgsqlDataSource dataSource, ConnectorProvider provider) : IConsumerStatusSource<PollCursor>
{
    private readonly string _table = $"{provider.Schema}.poll_cursors";
    private const string Columns = """
        tenant_id, polled_until, fencing_token, last_poll_at, last_success_at, last_window_start, last_window_end,
        last_records, last_punches, last_no_punch_rows, last_unreadable, polls, failures, last_error, last_error_at, holder
        """;

    public async Task<PollCursor?> ReadAsync(Guid tenant, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"SELECT {Columns} FROM {_table} WHERE tenant_id = $1", tenant);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Moves the cursor to the window's end (never back) and records the outcome.</summary>
    public Task<bool> SucceededAsync(Guid tenant, long fencingToken, string holder, PollOutcome outcome, CancellationToken ct) =>
        WriteAsync(tenant, $"""
            INSERT INTO {_table} AS c (tenant_id, polled_until, fencing_token, last_poll_at, last_success_at, last_window_start,
                                      last_window_end, last_records, last_punches, last_no_punch_rows, last_unreadable, polls, holder)
            VALUES ($1, $3, $2, now(), now(), $4, $3, $5, $6, $7, $8, 1, $9)
            ON CONFLICT ON CONSTRAINT poll_cursors_pkey DO UPDATE
              SET polled_until = GREATEST(c.polled_until, excluded.polled_until), fencing_token = excluded.fencing_token,
                  last_poll_at = now(), last_success_at = now(), last_window_start = excluded.last_window_start,
                  last_window_end = excluded.last_window_end, last_records = excluded.last_records,
                  last_punches = excluded.last_punches, last_no_punch_rows = excluded.last_no_punch_rows,
                  last_unreadable = excluded.last_unreadable, polls = c.polls + 1, holder = excluded.holder
              WHERE c.fencing_token <= excluded.fencing_token
            """, ct, tenant, fencingToken, outcome.WindowEnd.UtcDateTime, outcome.WindowStart.UtcDateTime, outcome.Records,
            outcome.Punches, outcome.NoPunchRows, outcome.Unreadable, holder);

    /// <summary>Records a failed poll (the cursor stays: the same window is polled again).</summary>
    public Task<bool> FailedAsync(Guid tenant, long fencingToken, string holder, string error, CancellationToken ct) =>
        WriteAsync(tenant, $"""
            INSERT INTO {_table} AS c (tenant_id, fencing_token, last_poll_at, polls, failures, last_error, last_error_at, holder)
            VALUES ($1, $2, now(), 1, 1, $3, now(), $4)
            ON CONFLICT ON CONSTRAINT poll_cursors_pkey DO UPDATE
              SET fencing_token = excluded.fencing_token, last_poll_at = now(), polls = c.polls + 1, failures = c.failures + 1,
                  last_error = excluded.last_error, last_error_at = now(), holder = excluded.holder
              WHERE c.fencing_token <= excluded.fencing_token
            """, ct, tenant, fencingToken, error.Length > 500 ? error[..500] : error, holder);

    private async Task<bool> WriteAsync(Guid tenant, string sql, CancellationToken ct, params object?[] parameters)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        var write = batch.Add(sql, parameters);
        await batch.ExecuteNonQueryAsync(ct);
        return write.RecordsAffected > 0;
    }

    private static PollCursor Read(NpgsqlDataReader r)
    {
        DateTimeOffset? At(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        return new PollCursor(r.GetGuid(0), At(1), r.GetInt64(2), At(3), At(4), At(5), At(6), r.GetInt32(7), r.GetInt32(8),
            r.GetInt32(9), r.GetInt32(10), r.GetInt64(11), r.GetInt64(12), r.IsDBNull(13) ? null : r.GetString(13), At(14),
            r.IsDBNull(15) ? null : r.GetString(15));
    }
}
