using HrmsAttendance.Testing;
using System.Net;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Contracts.Results.V1;
using Grpc.Core;
using Npgsql;
using static HrmsAttendance.DailyResults.IntegrationTests.DailyResultsServiceFixture;

namespace HrmsAttendance.DailyResults.IntegrationTests;

[Collection(DailyResultsServiceCollection.Name)]
public sealed class DailyResultsTests(DailyResultsServiceFixture fixture)
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private static DateTimeOffset At(int day, int hour, int minute) => new(2026, 1, day, hour, minute, 0, Shanghai);

    /// <summary>Jan 5: late in, on-time out. Jan 6: on time. Jan 7: in only.</summary>
    private async Task<(Guid Tenant, Guid Person)> SeedAsync()
    {
        var tenant = Guid.NewGuid();
        var person = await fixture.NewPersonAsync(tenant);
        await fixture.PunchAsync(tenant, person, At(5, 9, 20), "IN");
        await fixture.PunchAsync(tenant, person, At(5, 18, 0), "OUT");
        await fixture.PunchAsync(tenant, person, At(6, 8, 55), "IN");
        await fixture.PunchAsync(tenant, person, At(6, 18, 5), "OUT");
        await fixture.PunchAsync(tenant, person, At(7, 9, 0), "IN");
        return (tenant, person);
    }

    private static Timestamp? Ts(object? value) =>
        value is DateTime t ? Timestamp.FromDateTime(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    private static string? IsoZ(object? value) =>
        value is DateTime t ? t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture) : null;

    [Fact]
    public async Task List_returns_every_field_of_every_row_newest_first()
    {
        var (tenant, person) = await SeedAsync();
        var expected = (await fixture.ReadResultsAsync(tenant, person))
            .Where(r => (DateOnly)r["work_date"]! >= new DateOnly(2026, 1, 1) && (DateOnly)r["work_date"]! <= new DateOnly(2026, 1, 31)).ToList();
        Assert.True(expected.Count >= 3);

        var response = await fixture.Client.ListDailyResultsAsync(
            new() { PersonUuid = person.ToString(), FromDate = "2026-01-01", ToDate = "2026-01-31" }, For(tenant));

        Assert.Equal(expected.Count, response.Results.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var row = expected[i];
            var result = response.Results[i];
            Assert.Equal(person.ToString(), result.PersonUuid);
            Assert.Equal(((DateOnly)row["work_date"]!).ToString("yyyy-MM-dd"), result.WorkDate);
            Assert.Equal((string)row["status"]!, result.Status switch
            {
                DailyStatus.Present => "PRESENT", DailyStatus.Absent => "ABSENT", DailyStatus.Exception => "EXCEPTION", _ => "?",
            });
            Assert.Equal(((string[])row["flags"]!).Order(StringComparer.Ordinal),
                result.Flags.Select(f => f switch
                {
                    DailyFlag.Absent => "ABSENT", DailyFlag.MissingIn => "MISSING_IN", DailyFlag.MissingOut => "MISSING_OUT",
                    DailyFlag.Late => "LATE", DailyFlag.EarlyLeave => "EARLY_LEAVE", _ => "?",
                }));
            Assert.Equal(Ts(row["first_in_time"]), result.FirstInTime);
            Assert.Equal(Ts(row["last_out_time"]), result.LastOutTime);
            Assert.Equal((int)row["worked_minutes"]!, result.WorkedMinutes);
            Assert.Equal((int)row["late_minutes"]!, result.LateMinutes);
            Assert.Equal((int)row["early_leave_minutes"]!, result.EarlyLeaveMinutes);
            Assert.Equal((string)row["ruleset_version"]!, result.RulesetVersion);
            Assert.Equal(Ts(row["computed_at"]), result.ComputedAt);
            Assert.Equal((int)row["input_punch_count"]!, result.InputPunchCount);
            Assert.Equal((long?)row["input_max_punch_event_db_id"] ?? 0, result.InputMaxPunchEventSequence);
            Assert.Equal(Ts(row["input_max_punch_time"]), result.InputMaxPunchTime);
        }
        Assert.Equal(response.Results.Select(r => r.WorkDate).OrderDescending(StringComparer.Ordinal), response.Results.Select(r => r.WorkDate));

        var limited = await fixture.Client.ListDailyResultsAsync(
            new() { PersonUuid = person.ToString(), FromDate = "2026-01-01", ToDate = "2026-01-31", Limit = 2 }, For(tenant));
        Assert.Equal(response.Results.Take(2), limited.Results);
    }

    [Fact]
    public async Task Get_returns_one_day_with_the_input_watermark_and_NOT_FOUND_when_absent()
    {
        var (tenant, person) = await SeedAsync();

        var late = await fixture.Client.GetDailyResultAsync(new() { PersonUuid = person.ToString(), WorkDate = "2026-01-05" }, For(tenant));
        Assert.Equal(DailyStatus.Exception, late.Status);
        Assert.Contains(DailyFlag.Late, late.Flags);
        Assert.Equal(Timestamp.FromDateTimeOffset(At(5, 9, 20)), late.FirstInTime);
        Assert.Equal(Timestamp.FromDateTimeOffset(At(5, 18, 0)), late.LastOutTime);
        Assert.True(late.LateMinutes > 0);
        Assert.Equal("STANDARD_SHIFT_V1", late.RulesetVersion);
        Assert.True(late.InputPunchCount >= 2);
        Assert.True(late.InputMaxPunchEventSequence > 0);
        Assert.NotNull(late.InputMaxPunchTime);

        var present = await fixture.Client.GetDailyResultAsync(new() { PersonUuid = person.ToString(), WorkDate = "2026-01-06" }, For(tenant));
        Assert.Equal(DailyStatus.Present, present.Status);
        Assert.Empty(present.Flags);
        Assert.Equal(550, present.WorkedMinutes);

        var open = await fixture.Client.GetDailyResultAsync(new() { PersonUuid = person.ToString(), WorkDate = "2026-01-07" }, For(tenant));
        Assert.Equal(DailyStatus.Exception, open.Status);
        Assert.Contains(DailyFlag.MissingOut, open.Flags);
        Assert.Null(open.LastOutTime);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.GetDailyResultAsync(
            new() { PersonUuid = person.ToString(), WorkDate = "2025-06-01" }, For(tenant)));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.StartsWith("RESULTS_NOT_FOUND", e.Status.Detail);
    }

    [Fact]
    public async Task Monthly_summary_totals_the_months_rows()
    {
        var (tenant, person) = await SeedAsync();
        var rows = (await fixture.ReadResultsAsync(tenant, person)).Where(r => ((DateOnly)r["work_date"]!).Month == 1).ToList();

        var summary = await fixture.Client.GetMonthlySummaryAsync(new() { PersonUuid = person.ToString(), Month = "2026-01" }, For(tenant));

        Assert.Equal(person.ToString(), summary.PersonUuid);
        Assert.Equal("2026-01", summary.Month);
        Assert.Equal(rows.Count(r => (string)r["status"]! == "PRESENT"), summary.DaysPresent);
        Assert.Equal(rows.Count(r => (string)r["status"]! == "EXCEPTION"), summary.DaysException);
        Assert.Equal(rows.Count(r => (string)r["status"]! == "ABSENT"), summary.DaysAbsent);
        Assert.Equal(rows.Sum(r => (int)r["worked_minutes"]!), summary.WorkedMinutes);
        Assert.Equal(rows.Sum(r => (int)r["late_minutes"]!), summary.LateMinutes);
        Assert.Equal(rows.Sum(r => (int)r["early_leave_minutes"]!), summary.EarlyLeaveMinutes);
        Assert.Equal(rows.Count(r => ((string[])r["flags"]!).Any(f => f is "MISSING_IN" or "MISSING_OUT")), summary.MissingPunchDays);
        Assert.Equal(1, summary.DaysPresent);
        Assert.True(summary.DaysException >= 2);
        Assert.True(summary.MissingPunchDays >= 1);

        var empty = await fixture.Client.GetMonthlySummaryAsync(new() { PersonUuid = person.ToString(), Month = "2026-03" }, For(tenant));
        Assert.Equal(0, empty.DaysPresent + empty.DaysException + empty.DaysAbsent + empty.WorkedMinutes);
    }

    [Fact]
    public async Task Another_tenant_sees_nothing()
    {
        var (_, person) = await SeedAsync();
        var other = Guid.NewGuid();

        var list = await fixture.Client.ListDailyResultsAsync(
            new() { PersonUuid = person.ToString(), FromDate = "2026-01-01", ToDate = "2026-01-31" }, For(other));
        Assert.Empty(list.Results);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.GetDailyResultAsync(
            new() { PersonUuid = person.ToString(), WorkDate = "2026-01-05" }, For(other)));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        var summary = await fixture.Client.GetMonthlySummaryAsync(new() { PersonUuid = person.ToString(), Month = "2026-01" }, For(other));
        Assert.Equal(0, summary.DaysPresent + summary.DaysException + summary.DaysAbsent);

        using var request = Get($"/api/daily-results?person_uuid={person}&from_date=2026-01-01&to_date=2026-01-31", other);
        using var response = await fixture.Http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(0, json.RootElement.GetProperty("results").GetArrayLength());
    }

    public static TheoryData<string, string, string, int> BadRequests => new()
    {
        { "not-a-uuid", "2026-01-01", "2026-01-31", 0 },
        { "", "2026-01-01", "2026-01-31", 0 },
        { "6f0e0c1a-8d0e-4b1a-9a55-2f1f5c0e9b11", "2026-13-01", "", 0 },
        { "6f0e0c1a-8d0e-4b1a-9a55-2f1f5c0e9b11", "2026-01-31", "2026-01-01", 0 },
        { "6f0e0c1a-8d0e-4b1a-9a55-2f1f5c0e9b11", "2026-01-01", "2026-01-31", 1001 },
        { "6f0e0c1a-8d0e-4b1a-9a55-2f1f5c0e9b11", "2026-01-01", "2026-01-31", -1 },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_list_input_is_INVALID_ARGUMENT(string person, string from, string to, int limit)
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.ListDailyResultsAsync(
            new() { PersonUuid = person, FromDate = from, ToDate = to, Limit = limit }, For(Guid.NewGuid())));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("RESULTS_INVALID_ARGUMENT: ", e.Status.Detail);
    }

    [Theory]
    [InlineData("2026-1", "")]
    [InlineData("2026-00", "")]
    [InlineData("", "")]
    [InlineData("2026-01-05", "x")]
    public async Task Bad_month_or_work_date_is_INVALID_ARGUMENT(string month, string workDate)
    {
        var person = Guid.NewGuid().ToString();
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            if (workDate.Length == 0)
                await fixture.Client.GetMonthlySummaryAsync(new() { PersonUuid = person, Month = month }, For(Guid.NewGuid()));
            else
                await fixture.Client.GetDailyResultAsync(new() { PersonUuid = person, WorkDate = workDate }, For(Guid.NewGuid()));
        });
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("RESULTS_INVALID_ARGUMENT: ", e.Status.Detail);
    }

    [Fact]
    public async Task A_token_is_required()
    {
        var request = new GetDailyResultRequest { PersonUuid = Guid.NewGuid().ToString(), WorkDate = "2026-01-05" };
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.GetDailyResultAsync(request,
            new CallOptions(new Metadata(), DateTime.UtcNow.AddSeconds(30))));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.StartsWith("RESULTS_UNAUTHENTICATED: ", missing.Status.Detail);
    }

    [Fact]
    public async Task Http_returns_the_seeds_shape_field_for_field()
    {
        var (tenant, person) = await SeedAsync();
        var rows = (await fixture.ReadResultsAsync(tenant, person))
            .Where(r => (DateOnly)r["work_date"]! >= new DateOnly(2026, 1, 5) && (DateOnly)r["work_date"]! <= new DateOnly(2026, 1, 7)).ToList();

        using var request = Get($"/api/daily-results?person_uuid={person}&from_date=2026-01-05&to_date=2026-01-07&limit=10", tenant);
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal(["tenant", "person_uuid", "from_date", "to_date", "results"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(tenant.ToString(), root.GetProperty("tenant").GetString());
        Assert.Equal(person.ToString(), root.GetProperty("person_uuid").GetString());
        Assert.Equal("2026-01-05", root.GetProperty("from_date").GetString());
        Assert.Equal("2026-01-07", root.GetProperty("to_date").GetString());

        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        Assert.Equal(rows.Count, results.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var r = results[i];
            Assert.Equal(
                [
                    "work_date", "status", "flags", "first_in_time", "last_out_time", "worked_minutes", "late_minutes",
                    "early_leave_minutes", "ruleset_version", "computed_at", "input_punch_count", "input_max_punch_event_db_id",
                    "input_max_punch_time",
                ], r.EnumerateObject().Select(p => p.Name));
            Assert.Equal(((DateOnly)row["work_date"]!).ToString("yyyy-MM-dd"), r.GetProperty("work_date").GetString());
            Assert.Equal((string)row["status"]!, r.GetProperty("status").GetString());
            Assert.Equal((string[])row["flags"]!, r.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!));
            foreach (var name in new[] { "first_in_time", "last_out_time", "computed_at", "input_max_punch_time" })
            {
                var value = r.GetProperty(name);
                if (row[name] is null) Assert.Equal(JsonValueKind.Null, value.ValueKind);
                else
                {
                    Assert.Equal(IsoZ(row[name]), value.GetString());
                    Assert.EndsWith("Z", value.GetString());
                }
            }
            Assert.Equal((int)row["worked_minutes"]!, r.GetProperty("worked_minutes").GetInt32());
            Assert.Equal((int)row["late_minutes"]!, r.GetProperty("late_minutes").GetInt32());
            Assert.Equal((int)row["early_leave_minutes"]!, r.GetProperty("early_leave_minutes").GetInt32());
            Assert.Equal((string)row["ruleset_version"]!, r.GetProperty("ruleset_version").GetString());
            Assert.Equal((int)row["input_punch_count"]!, r.GetProperty("input_punch_count").GetInt32());
            Assert.Equal((long)row["input_max_punch_event_db_id"]!, r.GetProperty("input_max_punch_event_db_id").GetInt64());
        }
        Assert.Equal("2026-01-07T01:00:00Z", results[0].GetProperty("first_in_time").GetString());
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("last_out_time").ValueKind);
    }

    [Fact]
    public async Task Http_dates_default_to_today_in_Shanghai()
    {
        using var request = Get($"/api/daily-results?person_uuid={Guid.NewGuid()}", Guid.NewGuid());
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var today = DateOnly.FromDateTime(DateTime.UtcNow + Shanghai).ToString("yyyy-MM-dd");
        Assert.Equal(today, json.RootElement.GetProperty("from_date").GetString());
        Assert.Equal(today, json.RootElement.GetProperty("to_date").GetString());
    }

    [Theory]
    [InlineData("person_uuid=nope", "RESULTS_INVALID_ARGUMENT")]
    [InlineData("from_date=2026-01-01", "RESULTS_INVALID_ARGUMENT")]
    [InlineData("person_uuid=6f0e0c1a-8d0e-4b1a-9a55-2f1f5c0e9b11&from_date=2026-02-30", "RESULTS_INVALID_ARGUMENT")]
    [InlineData("person_uuid=6f0e0c1a-8d0e-4b1a-9a55-2f1f5c0e9b11&from_date=2026-01-02&to_date=2026-01-01", "RESULTS_INVALID_ARGUMENT")]
    [InlineData("person_uuid=6f0e0c1a-8d0e-4b1a-9a55-2f1f5c0e9b11&limit=1001", "RESULTS_INVALID_ARGUMENT")]
    [InlineData("person_uuid=6f0e0c1a-8d0e-4b1a-9a55-2f1f5c0e9b11&limit=abc", "RESULTS_INVALID_ARGUMENT")]
    public async Task Http_bad_input_is_400_with_the_code(string query, string code)
    {
        using var request = Get("/api/daily-results?" + query, Guid.NewGuid());
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Http_without_a_token_is_401()
    {
        using var response = await fixture.Http.GetAsync($"/api/daily-results?person_uuid={Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("RESULTS_UNAUTHENTICATED", json.RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("SELECT * FROM staffing.submit_time_punch_event($1, gen_random_uuid(), now(), 'IN', 'MANUAL', NULL, 'r-1', '{}'::jsonb, NULL)")]
    [InlineData("SELECT * FROM staffing.submit_time_punch_events($1, ARRAY[gen_random_uuid()], ARRAY[now()], ARRAY['IN'], ARRAY['MANUAL'], ARRAY[NULL::text], ARRAY['r-2'], ARRAY['{}'::jsonb], NULL)")]
    [InlineData("INSERT INTO staffing.daily_attendance_results (tenant_id, person_uuid, work_date, ruleset_version, status) VALUES ($1, gen_random_uuid(), '2026-01-01', 'X', 'ABSENT')")]
    [InlineData("UPDATE staffing.daily_attendance_results SET worked_minutes = 1 WHERE tenant_id = $1")]
    [InlineData("DELETE FROM staffing.daily_attendance_results WHERE tenant_id = $1")]
    [InlineData("SELECT count(*) FROM staffing.time_punch_events WHERE tenant_id = $1")]
    public async Task The_reader_role_cannot_call_the_doors_or_write(string sql)
    {
        var tenant = Guid.NewGuid();
        await using var connection = await fixture.Reader.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await SetTenantAsync(connection, tx, tenant);
        await using var command = new NpgsqlCommand(sql, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal("42501", e.SqlState);
    }

    [Fact]
    public async Task The_reader_roles_grants_are_one_select_on_the_ledger_and_its_own_change_feed()
    {
        var grants = await RolePrivileges.OfAsync(fixture.Superuser, "daily_results_app");
        Assert.Equal(
            [
                "results function prune_daily_result_changes",
                "results function record_daily_result_changes",
                "results table change_feed_horizon SELECT",
                "results table daily_result_changes SELECT",
                "schema results USAGE",
                "schema staffing USAGE",
                "staffing table daily_attendance_results SELECT",
            ], grants);
    }
}
