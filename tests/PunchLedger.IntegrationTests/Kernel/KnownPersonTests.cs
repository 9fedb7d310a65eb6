using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// Both doors record punches only for persons that exist and are active in the caller's tenant (identity-mapping's
/// person.person_states; issue 15, found 3): STAFFING_PERSON_UNKNOWN / STAFFING_PERSON_INACTIVE, nothing written; a retry
/// of a recorded request still answers as a retry.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KnownPersonTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 5, 4);

    /// <summary>Everything a door writes, for the tenant: events, results, outbox messages.</summary>
    private async Task<(long Events, long Results, long Outbox)> CountsAsync(Guid tenant)
    {
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        return (await tx.CountAsync("staffing.time_punch_events"), await tx.CountAsync("staffing.daily_attendance_results"),
            await tx.CountAsync("staffing.outbox_messages"));
    }

    private async Task<PostgresException> RefusedAsync(string code, Guid tenant, Punch punch)
    {
        await using var tx = await fixture.BeginAppAsync(tenant);
        return await AssertKernelErrorAsync(code, () => tx.SubmitAsync(punch));
    }

    [Fact]
    public async Task A_punch_of_an_unknown_person_is_refused_naming_it_and_writes_nothing()
    {
        var tenant = PostgresFixture.NewTenant();
        var stranger = Guid.NewGuid();

        var e = await RefusedAsync("STAFFING_PERSON_UNKNOWN", tenant, new Punch(stranger, At(D, 9), "IN", RequestId: "打卡-1"));

        Assert.Contains(stranger.ToString(), e.Detail);
        Assert.Contains("打卡-1", e.Detail);
        Assert.Equal((0L, 0L, 0L), await CountsAsync(tenant));
    }

    [Fact]
    public async Task Another_tenants_person_is_unknown_and_nothing_is_written_in_either_tenant()
    {
        var tenant = PostgresFixture.NewTenant();
        var other = PostgresFixture.NewTenant();
        var personOfOther = await fixture.NewPersonAsync(other);
        await fixture.SetPersonActiveAsync(other, await fixture.NewPersonAsync(other), active: false);

        var e = await RefusedAsync("STAFFING_PERSON_UNKNOWN", tenant, new Punch(personOfOther, At(D, 9), "IN"));

        // The same answer as for a uuid nobody has: the refusal does not tell that the person exists elsewhere.
        Assert.DoesNotContain("deactivated", e.Detail);
        Assert.Equal((0L, 0L, 0L), await CountsAsync(tenant));
        Assert.Equal((0L, 0L, 0L), await CountsAsync(other));
    }

    [Fact]
    public async Task A_deactivated_person_is_refused_until_reactivated()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        await fixture.SetPersonActiveAsync(tenant, person, active: false);

        var e = await RefusedAsync("STAFFING_PERSON_INACTIVE", tenant, new Punch(person, At(D, 9), "IN", RequestId: "r-1"));
        Assert.Contains(person.ToString(), e.Detail);
        Assert.Equal((0L, 0L, 0L), await CountsAsync(tenant));

        await fixture.SetPersonActiveAsync(tenant, person, active: true);
        Assert.False((await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "IN", RequestId: "r-1"))).Duplicate);
    }

    [Fact]
    public async Task A_retry_of_a_punch_recorded_before_the_deactivation_is_still_a_duplicate()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var punch = new Punch(person, At(D, 9), "IN", RequestId: "before-deactivation");
        var platform = new Punch(person, At(D, 18), "RAW", "DINGTALK", SourceEventId: "ding-1", RequestId: "stream-1");
        var first = await fixture.SubmitCommittedAsync(tenant, punch);
        var firstPlatform = await fixture.SubmitCommittedAsync(tenant, platform);
        await fixture.SetPersonActiveAsync(tenant, person, active: false);
        var before = await CountsAsync(tenant);

        Assert.Equal(first with { Duplicate = true }, await fixture.SubmitCommittedAsync(tenant, punch));
        // A platform redelivery under a new request_id is the same recorded event, too.
        Assert.Equal(firstPlatform with { Duplicate = true },
            await fixture.SubmitCommittedAsync(tenant, platform with { RequestId = "poll-2" }));
        // The recorded request_id with other fields is the conflict it always was, not a person refusal.
        await RefusedAsync("STAFFING_IDEMPOTENCY_CONFLICT", tenant, punch with { Time = punch.Time.AddMinutes(1) });
        // And through the batch door.
        var rows = await fixture.SubmitBatchCommittedAsync(tenant, [punch, punch with { RequestId = "new-after-deactivation" }]);
        Assert.Equal([("DUPLICATE", (string?)null), ("REJECTED", "STAFFING_PERSON_INACTIVE")], rows.Select(r => (r.Outcome, r.ErrorCode)));
        Assert.Equal(first.EventId, rows[0].EventId);

        Assert.Equal(before, await CountsAsync(tenant));
    }

    [Fact]
    public async Task A_bad_argument_is_invalid_whatever_the_person()
    {
        var tenant = PostgresFixture.NewTenant();
        await RefusedAsync("STAFFING_INVALID_ARGUMENT", tenant, new Punch(Guid.NewGuid(), At(D, 9), "BREAK"));
        await using var tx = await fixture.BeginAppAsync(tenant);
        await AssertKernelErrorAsync("STAFFING_INVALID_ARGUMENT", () => tx.ExecuteAsync(
            "SELECT * FROM staffing.submit_time_punch_event($1, NULL, now(), 'IN', 'MANUAL', NULL, 'r', '{}', NULL)", tenant));
    }

    [Fact]
    public async Task The_batch_door_refuses_only_the_rows_of_unknown_and_inactive_persons()
    {
        var tenant = PostgresFixture.NewTenant();
        var other = PostgresFixture.NewTenant();
        var persons = await fixture.NewPersonsAsync(tenant, 2);
        var (active, inactive) = (persons[0], persons[1]);
        await fixture.SetPersonActiveAsync(tenant, inactive, active: false);
        var personOfOther = await fixture.NewPersonAsync(other);
        var stranger = Guid.NewGuid();

        Punch[] batch =
        [
            new(active, At(D, 9), "IN"),                    // 1 ACCEPTED
            new(stranger, At(D, 9), "IN"),                  // 2 REJECTED unknown
            new(inactive, At(D, 9), "IN"),                  // 3 REJECTED inactive
            new(personOfOther, At(D, 9), "IN"),             // 4 REJECTED unknown (another tenant's)
            new(stranger, At(D, 9), "BREAK"),               // 5 REJECTED invalid argument, whatever the person
            new(stranger, At(D, 10), "IN"),                 // 6 REJECTED unknown (the same person twice)
            new(active, At(D, 18), "OUT"),                  // 7 ACCEPTED
        ];
        var rows = await fixture.SubmitBatchCommittedAsync(tenant, batch);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], rows.Select(r => r.Ordinal));
        Assert.Equal(["ACCEPTED", "REJECTED", "REJECTED", "REJECTED", "REJECTED", "REJECTED", "ACCEPTED"], rows.Select(r => r.Outcome));
        Assert.Equal(
            [null, "STAFFING_PERSON_UNKNOWN", "STAFFING_PERSON_INACTIVE", "STAFFING_PERSON_UNKNOWN", "STAFFING_INVALID_ARGUMENT",
             "STAFFING_PERSON_UNKNOWN", null],
            rows.Select(r => r.ErrorCode));
        Assert.All(rows.Where(r => r.Outcome == "REJECTED"), r => Assert.Null(r.EventId));

        // Only the active person's two punches: their events, their day (and the day before), one outbox row.
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        Assert.Equal([active, active], (await tx.ReadEventsAsync()).Select(e => e.Person));
        Assert.All(await tx.ReadResultsAsync(), r => Assert.Equal(active, r.Values.Person));
        // Two PunchRecorded and two DailyResultChanged (D, and D-1 new as ABSENT), as for a batch of those two punches alone.
        Assert.Equal((2L, 2L, 4L), await CountsAsync(tenant));
        Assert.Equal((0L, 0L, 0L), await CountsAsync(other));
    }

    [Fact]
    public async Task A_batch_of_refused_rows_only_writes_nothing()
    {
        var tenant = PostgresFixture.NewTenant();
        var rows = await fixture.SubmitBatchCommittedAsync(tenant, [new(Guid.NewGuid(), At(D, 9), "IN"), new(Guid.NewGuid(), At(D, 18), "OUT")]);

        Assert.Equal([("REJECTED", "STAFFING_PERSON_UNKNOWN"), ("REJECTED", "STAFFING_PERSON_UNKNOWN")], rows.Select(r => (r.Outcome, r.ErrorCode!)));
        Assert.Equal((0L, 0L, 0L), await CountsAsync(tenant));
    }

    [Fact]
    public async Task Person_states_fail_closed_without_a_tenant_and_show_only_the_current_tenants_persons()
    {
        var a = PostgresFixture.NewTenant();
        var b = PostgresFixture.NewTenant();
        var personOfA = await fixture.NewPersonAsync(a);
        await fixture.NewPersonAsync(b);

        // As the owner (the doors' rights): RLS is forced on it too.
        await using (var connection = await fixture.Owner.OpenConnectionAsync())
        await using (var command = new NpgsqlCommand("SELECT count(*) FROM person.person_states", connection))
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
            Assert.Contains(e.SqlState, new[] { "42704", "22P02" }); // app.current_tenant unknown, or '' (not a uuid)
        }
        await using var tx = await fixture.BeginOwnerAsync(a);
        await using var all = tx.Command("SELECT person_uuid FROM person.person_states");
        await using var reader = await all.ExecuteReaderAsync();
        var seen = new List<Guid>();
        while (await reader.ReadAsync()) seen.Add(reader.GetGuid(0));
        Assert.Equal([personOfA], seen);
    }
}
