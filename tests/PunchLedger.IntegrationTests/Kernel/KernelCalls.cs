using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// A punch as the doors take it. A null request id gets a fresh one, which a copy (<c>with</c>) keeps unless the copy
/// sets <see cref="RequestId"/>.
/// </summary>
public sealed record Punch(
    Guid Person,
    DateTimeOffset Time,
    string Type,
    string Provider = "MANUAL",
    string? SourceEventId = null,
    string? RequestId = null,
    string? Payload = "{}")
{
    private readonly string generatedRequestId = "req-" + Guid.NewGuid().ToString("N");

    // Computed, so that `punch with { RequestId = … }` sends the new id (a stored one would be copied as it was).
    public string EffectiveRequestId => RequestId ?? generatedRequestId;
}

public sealed record SubmitResult(long EventId, Guid EventUuid, bool Duplicate);

public sealed record BatchRow(int Ordinal, long? EventId, Guid? EventUuid, string Outcome, string? ErrorCode);

/// <summary>
/// The fields of a daily result that the rules determine (everything but computed_at, created_at,
/// updated_at). Value equality, so results from different sources compare directly.
/// </summary>
public sealed record ResultValues(
    Guid Person,
    DateOnly WorkDate,
    string RulesetVersion,
    string Status,
    string Flags,
    DateTime? FirstIn,
    DateTime? LastOut,
    int WorkedMinutes,
    int LateMinutes,
    int EarlyLeaveMinutes,
    int PunchCount,
    long? MaxEventId,
    DateTime? MaxPunchTime)
{
    public static string FormatFlags(IEnumerable<string> flags) => "{" + string.Join(",", flags) + "}";
}

public sealed record DailyResult(ResultValues Values, DateTime ComputedAt, DateTime CreatedAt, DateTime UpdatedAt)
{
    public string Status => Values.Status;
    public string Flags => Values.Flags;
}

public sealed record StoredEvent(long Id, Guid Person, DateTime PunchTime, string Type);

/// <summary>Calls into the kernel the way the service does: inside a <see cref="TenantTransaction"/>.</summary>
public static class KernelCalls
{
    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    /// <summary>A local (Asia/Shanghai) instant on <paramref name="date"/>.</summary>
    public static DateTimeOffset At(DateOnly date, int hour, int minute = 0, int second = 0, int microsecond = 0) =>
        new DateTimeOffset(date.ToDateTime(new TimeOnly(0, 0)), Shanghai)
            .AddHours(hour).AddMinutes(minute).AddSeconds(second).AddTicks(microsecond * 10L);

    public static async Task<SubmitResult> SubmitAsync(this TenantTransaction tx, Punch p, Guid? tenant = null, string? initiator = null)
    {
        await using var command = tx.Command(
            "SELECT event_id, event_uuid, duplicate FROM staffing.submit_time_punch_event($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)",
            tenant ?? tx.Tenant, p.Person, p.Time.UtcDateTime, p.Type, p.Provider, p.SourceEventId, p.EffectiveRequestId,
            p.Payload, initiator);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the door returned no row");
        var result = new SubmitResult(reader.GetInt64(0), reader.GetGuid(1), reader.GetBoolean(2));
        Assert.False(await reader.ReadAsync(), "the door returned more than one row");
        return result;
    }

    public static async Task<IReadOnlyList<BatchRow>> SubmitBatchAsync(this TenantTransaction tx, IReadOnlyList<Punch> punches,
        Guid? tenant = null, string? initiator = null)
    {
        await using var command = tx.Command(
            "SELECT ordinal, event_id, event_uuid, outcome, error_code FROM staffing.submit_time_punch_events($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            tenant ?? tx.Tenant,
            punches.Select(p => p.Person).ToArray(),
            punches.Select(p => p.Time.UtcDateTime).ToArray(),
            punches.Select(p => p.Type).ToArray(),
            punches.Select(p => p.Provider).ToArray(),
            punches.Select(p => p.SourceEventId).ToArray(),
            punches.Select(p => p.EffectiveRequestId).ToArray(),
            punches.Select(p => p.Payload).ToArray(),
            initiator);
        command.Parameters[7].NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb;
        var rows = new List<BatchRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new BatchRow(
                reader.GetInt32(0),
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetGuid(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return rows;
    }

    public const string ResultColumns = """
        person_uuid, work_date, ruleset_version, status, flags, first_in_time, last_out_time,
        worked_minutes, late_minutes, early_leave_minutes, input_punch_count,
        input_max_punch_event_db_id, input_max_punch_time, computed_at, created_at, updated_at
        """;

    /// <summary>Reads daily results of the transaction's tenant (optionally one person) from <paramref name="table"/>.</summary>
    public static async Task<List<DailyResult>> ReadResultsAsync(this TenantTransaction tx, Guid? person = null,
        string table = "staffing.daily_attendance_results")
    {
        await using var command = tx.Command(
            $"SELECT {ResultColumns} FROM {table} WHERE tenant_id = $1 AND ($2::uuid IS NULL OR person_uuid = $2) ORDER BY person_uuid, work_date",
            tx.Tenant, person);
        command.Parameters[1].NpgsqlDbType = NpgsqlDbType.Uuid;
        return await ReadResultsAsync(command);
    }

    public static async Task<List<DailyResult>> ReadResultsAsync(NpgsqlCommand command)
    {
        var results = new List<DailyResult>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            DateTime? Time(int i) => reader.IsDBNull(i) ? null : reader.GetDateTime(i);
            results.Add(new DailyResult(
                new ResultValues(
                    reader.GetGuid(0),
                    reader.GetFieldValue<DateOnly>(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    ResultValues.FormatFlags(reader.GetFieldValue<string[]>(4)),
                    Time(5),
                    Time(6),
                    reader.GetInt32(7),
                    reader.GetInt32(8),
                    reader.GetInt32(9),
                    reader.GetInt32(10),
                    reader.IsDBNull(11) ? null : reader.GetInt64(11),
                    Time(12)),
                reader.GetDateTime(13),
                reader.GetDateTime(14),
                reader.GetDateTime(15)));
        }
        return results;
    }

    public static async Task<DailyResult?> ReadResultAsync(this TenantTransaction tx, Guid person, DateOnly workDate) =>
        (await tx.ReadResultsAsync(person)).SingleOrDefault(r => r.Values.WorkDate == workDate);

    public static async Task<List<StoredEvent>> ReadEventsAsync(this TenantTransaction tx)
    {
        await using var command = tx.Command(
            "SELECT id, person_uuid, punch_time, punch_type FROM staffing.time_punch_events WHERE tenant_id = $1 ORDER BY id",
            tx.Tenant);
        var events = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            events.Add(new StoredEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetDateTime(2), reader.GetString(3)));
        return events;
    }

    public static Task<long> CountAsync(this TenantTransaction tx, string table) =>
        tx.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE tenant_id = $1", tx.Tenant);

    /// <summary>Submits each punch in its own committed transaction as the service role.</summary>
    public static async Task<SubmitResult> SubmitCommittedAsync(this PostgresFixture fixture, Guid tenant, Punch p)
    {
        await using var tx = await fixture.BeginAppAsync(tenant);
        var result = await tx.SubmitAsync(p);
        await tx.CommitAsync();
        return result;
    }

    public static async Task<IReadOnlyList<BatchRow>> SubmitBatchCommittedAsync(this PostgresFixture fixture, Guid tenant, IReadOnlyList<Punch> punches)
    {
        await using var tx = await fixture.BeginAppAsync(tenant);
        var rows = await tx.SubmitBatchAsync(punches);
        await tx.CommitAsync();
        return rows;
    }

    /// <summary>Reads results as the service role in a fresh transaction.</summary>
    public static async Task<List<DailyResult>> ReadResultsAsync(this PostgresFixture fixture, Guid tenant, Guid? person = null)
    {
        await using var tx = await fixture.BeginAppAsync(tenant);
        return await tx.ReadResultsAsync(person);
    }

    /// <summary>Asserts that <paramref name="action"/> fails with a kernel error whose MESSAGE is <paramref name="code"/>.</summary>
    public static async Task<PostgresException> AssertKernelErrorAsync(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<PostgresException>(action);
        Assert.True(e.MessageText == code, $"expected {code}, got {e.SqlState} {e.MessageText} ({e.Detail})");
        return e;
    }

    public static async Task<PostgresException> AssertSqlStateAsync(string sqlState, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<PostgresException>(action);
        Assert.True(e.SqlState == sqlState, $"expected SQLSTATE {sqlState}, got {e.SqlState} {e.MessageText}");
        return e;
    }
}
