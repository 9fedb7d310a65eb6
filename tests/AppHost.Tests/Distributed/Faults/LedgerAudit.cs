using Npgsql;

namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>
/// What the ledger holds for a fault test's tenant, read as the server's superuser (the services' logins may only call
/// the doors): events by request_id, and whether the stored daily results equal a from-scratch recompute.
/// </summary>
internal static class LedgerAudit
{
    /// <summary>
    /// A connection of its own, not from a pool: the fault tests stop and kill Postgres, and a pooled connection from
    /// before a restart answers its first command with 57P01 (terminating connection due to administrator command).
    /// </summary>
    public static NpgsqlConnection Open(string superuser) =>
        new(new NpgsqlConnectionStringBuilder(superuser) { Pooling = false }.ConnectionString);

    /// <summary>How many events each request_id of the tenant has.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> EventsByRequestIdAsync(string superuser, Guid tenant)
    {
        await using var connection = Open(superuser);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT request_id, count(*) FROM staffing.time_punch_events WHERE tenant_id = $1 GROUP BY request_id", connection);
        query.Parameters.Add(new NpgsqlParameter { Value = tenant });
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    /// <summary>
    /// The same punch (person, time, type) recorded more than once, under whatever request_ids: what a retry with a
    /// new request_id after a lost acknowledgement would leave (the stream never sends one punch twice otherwise; the
    /// unique index on request_id cannot see it).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RepeatedPunchesAsync(string superuser, Guid tenant)
    {
        await using var connection = Open(superuser);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT person_uuid || ' ' || punch_time || ' ' || punch_type || ' ×' || count(*)
            FROM staffing.time_punch_events WHERE tenant_id = $1
            GROUP BY person_uuid, punch_time, punch_type HAVING count(*) > 1
            """, connection);
        query.Parameters.Add(new NpgsqlParameter { Value = tenant });
        var repeated = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            repeated.Add(reader.GetString(0));
        return repeated;
    }

    /// <summary>
    /// The kernel's own from-scratch recompute, <c>staffing.rebuild_daily_attendance_results</c>, over every day the
    /// tenant's punches can touch, in a transaction that is rolled back: it recomputes each day from the events and
    /// returns how many stored results it had to write (0: the stored results equal the recompute). The days it
    /// would change are listed for the failure message.
    /// </summary>
    public static async Task<(int Rewritten, IReadOnlyList<string> Differences)> RecomputeFromScratchAsync(
        string superuser, Guid tenant, DateOnly from, DateOnly to)
    {
        await using var connection = Open(superuser);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, transaction))
        {
            set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
            await set.ExecuteNonQueryAsync();
        }
        var before = await ResultsAsync(connection, transaction, tenant);
        await using var rebuild = new NpgsqlCommand("SELECT staffing.rebuild_daily_attendance_results($1, $2, $3)", connection, transaction);
        rebuild.Parameters.Add(new NpgsqlParameter { Value = tenant });
        rebuild.Parameters.Add(new NpgsqlParameter { Value = from });
        rebuild.Parameters.Add(new NpgsqlParameter { Value = to });
        var rewritten = (int)(await rebuild.ExecuteScalarAsync())!;
        var after = await ResultsAsync(connection, transaction, tenant);
        await transaction.RollbackAsync(); // an audit changes nothing
        var differences = after.Where(a => !before.TryGetValue(a.Key, out var b) || b != a.Value)
            .Select(a => $"{a.Key}: stored {(before.TryGetValue(a.Key, out var b) ? b : "none")}, recomputed {a.Value}")
            .ToList();
        return (rewritten, differences);
    }

    /// <summary>Each result's values and watermark (not its timestamps), by person and day.</summary>
    private static async Task<Dictionary<string, string>> ResultsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenant)
    {
        await using var query = new NpgsqlCommand("""
            SELECT person_uuid || ' ' || work_date,
                   concat_ws(' ', status, flags::text, first_in_time, last_out_time, worked_minutes, late_minutes,
                             early_leave_minutes, input_punch_count, input_max_punch_event_db_id, input_max_punch_time)
            FROM staffing.daily_attendance_results WHERE tenant_id = $1
            """, connection, transaction);
        query.Parameters.Add(new NpgsqlParameter { Value = tenant });
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            results[reader.GetString(0)] = reader.GetString(1);
        return results;
    }
}
