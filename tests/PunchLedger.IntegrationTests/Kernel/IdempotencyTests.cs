using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>request_id and (provider, source_event_id) idempotency of the single door.</summary>
[Collection(PostgresCollection.Name)]
public sealed class IdempotencyTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 3, 2);

    private async Task<(long Events, long Outbox)> CountsAsync(Guid tenant)
    {
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        // Messages, not rows: the outbox stores a door call's messages in one row (staffing.outbox_messages).
        return (await tx.CountAsync("staffing.time_punch_events"), await tx.CountAsync("staffing.outbox_messages"));
    }

    [Fact]
    public async Task The_same_request_sent_ten_times_is_one_event_and_changes_nothing_after_the_first()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9, 10), "IN"));
        var punch = new Punch(person, At(D, 18), "OUT", RequestId: "out-" + Guid.NewGuid(), Payload: """{"device": "gate-3"}""");

        var first = await fixture.SubmitCommittedAsync(tenant, punch);
        Assert.False(first.Duplicate);
        var resultsAfterFirst = await fixture.ReadResultsAsync(tenant, person);
        var countsAfterFirst = await CountsAsync(tenant);

        for (var i = 0; i < 9; i++)
        {
            // Key order and whitespace of the payload do not matter: it is compared as jsonb.
            var retry = await fixture.SubmitCommittedAsync(tenant, punch with { Payload = """{ "device":"gate-3" }""" });
            Assert.Equal(first with { Duplicate = true }, retry);
        }

        Assert.Equal(countsAfterFirst, await CountsAsync(tenant));
        // Not recomputed at all: computed_at and updated_at are those of the first call.
        Assert.Equal(resultsAfterFirst, await fixture.ReadResultsAsync(tenant, person));
        Assert.Equal(530, resultsAfterFirst.Single(r => r.Values.WorkDate == D).Values.WorkedMinutes);
    }

    [Fact]
    public async Task Ten_concurrent_copies_of_one_request_make_one_event()
    {
        var tenant = PostgresFixture.NewTenant();
        var punch = new Punch(await fixture.NewPersonAsync(tenant), At(D, 9), "IN", RequestId: "concurrent-" + Guid.NewGuid());
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => fixture.SubmitCommittedAsync(tenant, punch))));
        Assert.Single(results, r => !r.Duplicate);
        Assert.Single(results.Select(r => r.EventUuid).Distinct());
        Assert.Equal(1, (await CountsAsync(tenant)).Events);
    }

    public static TheoryData<string, Func<Punch, Punch>> Changes => new()
    {
        // Another person, unknown to the tenant: the recorded request_id still decides (CONFLICT, not STAFFING_PERSON_UNKNOWN).
        { "person", p => p with { Person = Guid.NewGuid() } },
        { "time", p => p with { Time = p.Time.AddTicks(10) } },
        { "type", p => p with { Type = "OUT" } },
        { "provider", p => p with { Provider = "IMPORT" } },
        { "source event", p => p with { SourceEventId = "src-1" } },
        { "payload", p => p with { Payload = """{"device": "other"}""" } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_reused_request_id_with_different_fields_is_a_conflict_and_writes_nothing(string field, Func<Punch, Punch> change)
    {
        var tenant = PostgresFixture.NewTenant();
        var punch = new Punch(await fixture.NewPersonAsync(tenant), At(D, 9), "IN", RequestId: "req-" + field, Payload: """{"device": "gate-1"}""");
        var original = await fixture.SubmitCommittedAsync(tenant, punch);
        var before = await CountsAsync(tenant);
        var resultsBefore = await fixture.ReadResultsAsync(tenant);

        await using (var tx = await fixture.BeginAppAsync(tenant))
        {
            var e = await AssertKernelErrorAsync("STAFFING_IDEMPOTENCY_CONFLICT", () => tx.SubmitAsync(change(punch)));
            Assert.Contains(original.EventUuid.ToString(), e.Detail);
        }

        Assert.Equal(before, await CountsAsync(tenant));
        Assert.Equal(resultsBefore, await fixture.ReadResultsAsync(tenant));
        // The original still answers as a duplicate: the conflict changed nothing.
        Assert.True((await fixture.SubmitCommittedAsync(tenant, punch)).Duplicate);
    }

    [Fact]
    public async Task A_platform_redelivery_under_a_new_request_id_is_a_duplicate()
    {
        var tenant = PostgresFixture.NewTenant();
        var punch = new Punch(await fixture.NewPersonAsync(tenant), At(D, 9), "RAW", "DINGTALK", SourceEventId: "ding-record-1",
            RequestId: "stream-attempt-1", Payload: """{"checkType": "OnDuty"}""");
        var first = await fixture.SubmitCommittedAsync(tenant, punch);
        var before = await CountsAsync(tenant);

        var again = await fixture.SubmitCommittedAsync(tenant, punch with { RequestId = "poll-attempt-2" });
        Assert.Equal(first with { Duplicate = true }, again);
        Assert.Equal(before, await CountsAsync(tenant));

        // The same platform event with different content is a conflict, whatever the request_id.
        await using var tx = await fixture.BeginAppAsync(tenant);
        await AssertKernelErrorAsync("STAFFING_IDEMPOTENCY_CONFLICT",
            () => tx.SubmitAsync(punch with { RequestId = "poll-attempt-3", Time = punch.Time.AddMinutes(1) }));
    }

    [Fact]
    public async Task The_same_source_event_id_from_another_provider_is_another_event()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var ding = await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "RAW", "DINGTALK", "id-1"));
        var wecom = await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 18), "RAW", "WECOM", "id-1"));
        Assert.False(ding.Duplicate);
        Assert.False(wecom.Duplicate);
        Assert.NotEqual(ding.EventUuid, wecom.EventUuid);
    }

    public static TheoryData<Punch> InvalidPunches => new()
    {
        new Punch(Guid.Empty, At(D, 9), "SIDEWAYS"),
        new Punch(Guid.NewGuid(), At(D, 9), "in"),
        new Punch(Guid.NewGuid(), At(D, 9), "IN", "FEISHU"),
        new Punch(Guid.NewGuid(), At(D, 9), "IN", "DINGTALK"),
        new Punch(Guid.NewGuid(), At(D, 9), "IN", "WECOM", SourceEventId: ""),
        new Punch(Guid.NewGuid(), At(D, 9), "IN", RequestId: ""),
        new Punch(Guid.NewGuid(), At(D, 9), "IN", RequestId: new string('r', 201)),
        new Punch(Guid.NewGuid(), At(D, 9), "IN", SourceEventId: new string('s', 201)),
        new Punch(Guid.NewGuid(), At(D, 9), "IN", Payload: "[1, 2]"),
        new Punch(Guid.NewGuid(), At(D, 9), "IN", Payload: "\"text\""),
    };

    [Theory]
    [MemberData(nameof(InvalidPunches))]
    public async Task Invalid_arguments_are_refused(Punch punch)
    {
        var tenant = PostgresFixture.NewTenant();
        await using (var tx = await fixture.BeginAppAsync(tenant))
            await AssertKernelErrorAsync("STAFFING_INVALID_ARGUMENT", () => tx.SubmitAsync(punch));
        Assert.Equal((0L, 0L), await CountsAsync(tenant));
    }

    [Fact]
    public async Task Null_and_non_finite_arguments_are_refused()
    {
        var tenant = PostgresFixture.NewTenant();
        await using var tx = await fixture.BeginAppAsync(tenant);
        foreach (var sql in new[]
        {
            "SELECT * FROM staffing.submit_time_punch_event($1, NULL, now(), 'IN', 'MANUAL', NULL, 'r', '{}', NULL)",
            "SELECT * FROM staffing.submit_time_punch_event($1, $1, NULL, 'IN', 'MANUAL', NULL, 'r', '{}', NULL)",
            "SELECT * FROM staffing.submit_time_punch_event($1, $1, 'infinity', 'IN', 'MANUAL', NULL, 'r', '{}', NULL)",
            "SELECT * FROM staffing.submit_time_punch_event($1, $1, now(), NULL, 'MANUAL', NULL, 'r', '{}', NULL)",
            "SELECT * FROM staffing.submit_time_punch_event($1, $1, now(), 'IN', NULL, NULL, 'r', '{}', NULL)",
            "SELECT * FROM staffing.submit_time_punch_event($1, $1, now(), 'IN', 'MANUAL', NULL, NULL, '{}', NULL)",
            "SELECT * FROM staffing.submit_time_punch_event(NULL, $1, now(), 'IN', 'MANUAL', NULL, 'r', '{}', NULL)",
        })
        {
            await tx.Transaction.SaveAsync("attempt");
            await AssertKernelErrorAsync("STAFFING_INVALID_ARGUMENT", () => tx.ExecuteAsync(sql, tx.Tenant));
            await tx.Transaction.RollbackAsync("attempt");
        }
    }

    [Fact]
    public async Task A_null_payload_means_an_empty_object()
    {
        var tenant = PostgresFixture.NewTenant();
        var punch = new Punch(await fixture.NewPersonAsync(tenant), At(D, 9), "IN", Payload: null);
        var first = await fixture.SubmitCommittedAsync(tenant, punch);
        Assert.True((await fixture.SubmitCommittedAsync(tenant, punch with { Payload = "{}" })).Duplicate);
        await using var tx = await fixture.BeginAppAsync(tenant);
        Assert.Equal("{}", await tx.ScalarAsync<string>("SELECT payload::text FROM staffing.time_punch_events WHERE id = $1", first.EventId));
    }
}
