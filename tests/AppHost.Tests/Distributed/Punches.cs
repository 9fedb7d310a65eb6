using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Contracts.Ledger.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>Punch requests and the owner-side reads the distributed tests share.</summary>
internal static class Punches
{
    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    /// <summary>An IN punch at <paramref name="at"/> (Asia/Shanghai local time).</summary>
    public static SubmitPunchRequest In(Guid person, DateTimeOffset at) => new()
    {
        Punch = new PunchInput
        {
            PersonUuid = person.ToString(),
            PunchTime = Timestamp.FromDateTimeOffset(at),
            PunchType = PunchType.In,
            SourceProvider = SourceProvider.Manual,
            RequestId = Guid.NewGuid().ToString(),
        },
    };

    /// <summary>
    /// Call options with a bearer token (which names the tenant) and, when given, a W3C <c>traceparent</c>, so the
    /// server's spans join a trace whose id the test knows.
    /// </summary>
    public static CallOptions For(string token, ActivityTraceId? trace = null)
    {
        var headers = new Metadata { { "authorization", $"Bearer {token}" } };
        if (trace is { } id)
            headers.Add("traceparent", $"00-{id.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        return new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
    }

    /// <summary>
    /// One row of <c>staffing.daily_attendance_results</c>, read as the schema owner inside a transaction that first
    /// sets <c>app.current_tenant</c> (RLS is forced, the owner included); null if there is none.
    /// </summary>
    public static async Task<(string Status, string[] Flags, int PunchCount, DateTime? FirstIn)?> ReadDailyResultAsync(
        string ownerConnectionString, Guid tenant, Guid person, DateOnly workDate)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, transaction))
        {
            set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
            await set.ExecuteNonQueryAsync();
        }
        await using var query = new NpgsqlCommand("""
            SELECT status, flags, input_punch_count, first_in_time
            FROM staffing.daily_attendance_results
            WHERE tenant_id = $1 AND person_uuid = $2 AND work_date = $3
            """, connection, transaction);
        query.Parameters.Add(new NpgsqlParameter { Value = tenant });
        query.Parameters.Add(new NpgsqlParameter { Value = person });
        query.Parameters.Add(new NpgsqlParameter { Value = workDate });
        await using var reader = await query.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return (reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.GetInt32(2),
            reader.IsDBNull(3) ? null : reader.GetDateTime(3));
    }
}
