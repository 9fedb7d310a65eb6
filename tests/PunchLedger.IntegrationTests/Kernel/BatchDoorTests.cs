using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>staffing.submit_time_punch_events: per-row outcomes, in-batch repeats, limits, same results as the single door.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchDoorTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 4, 6);

    private async Task<(long Events, long Outbox)> CountsAsync(Guid tenant)
    {
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        // Messages, not rows: the outbox stores a door call's messages in one row (staffing.outbox_messages).
        return (await tx.CountAsync("staffing.time_punch_events"), await tx.CountAsync("staffing.outbox_messages"));
    }

    [Fact]
    public async Task Bad_rows_are_rejected_without_sinking_the_good_ones()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var existing = await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 8), "IN", RequestId: "taken"));

        Punch[] batch =
        [
            new(person, At(D, 9), "IN"),                               // 1 ACCEPTED
            new(person, At(D, 12), "BREAK"),                           // 2 REJECTED invalid type
            new(person, At(D, 13), "IN", "DINGTALK"),                  // 3 REJECTED no source id
            new(person, At(D, 18), "OUT", RequestId: "taken"),         // 4 REJECTED conflict with the stored event
            new(person, At(D, 8), "IN", RequestId: "taken"),           // 5 DUPLICATE of the stored event
            new(person, At(D, 18, 30), "OUT", RequestId: new string('x', 201)), // 6 REJECTED too long
            new(person, At(D, 17), "OUT"),                             // 7 ACCEPTED
        ];
        var rows = await fixture.SubmitBatchCommittedAsync(tenant, batch);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], rows.Select(r => r.Ordinal));
        Assert.Equal(
            ["ACCEPTED", "REJECTED", "REJECTED", "REJECTED", "DUPLICATE", "REJECTED", "ACCEPTED"],
            rows.Select(r => r.Outcome));
        Assert.Equal(
            [null, "STAFFING_INVALID_ARGUMENT", "STAFFING_INVALID_ARGUMENT", "STAFFING_IDEMPOTENCY_CONFLICT", null, "STAFFING_INVALID_ARGUMENT", null],
            rows.Select(r => r.ErrorCode));
        Assert.All(rows.Where(r => r.Outcome == "REJECTED"), r => Assert.Null(r.EventId));
        Assert.Equal(existing.EventId, rows[4].EventId);
        Assert.Equal(existing.EventUuid, rows[4].EventUuid);

        // IN 08:00, IN 09:00 (MISSING_OUT), OUT 17:00 (paired with 09:00: 480 min, 55 min early).
        var day = (await fixture.ReadResultsAsync(tenant, person)).Single(r => r.Values.WorkDate == D);
        Assert.Equal(("EXCEPTION", "{EARLY_LEAVE,MISSING_OUT}", 480, 55, 3),
            (day.Status, day.Flags, day.Values.WorkedMinutes, day.Values.EarlyLeaveMinutes, day.Values.PunchCount));
    }

    [Fact]
    public async Task Repeats_inside_one_batch_behave_as_if_submitted_one_by_one()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var inPunch = new Punch(person, At(D, 9), "IN", RequestId: "a");
        var platform = new Punch(person, At(D, 18), "RAW", "WECOM", "we-1", RequestId: "b");
        Punch[] batch =
        [
            inPunch,                                      // 1 ACCEPTED
            inPunch,                                      // 2 DUPLICATE of 1
            inPunch with { Type = "OUT" },                // 3 REJECTED: request a, different fields
            platform,                                     // 4 ACCEPTED
            platform with { RequestId = "c" },            // 5 DUPLICATE of 4 (redelivery)
            platform with { RequestId = "d", Payload = """{"x":1}""" }, // 6 REJECTED: same platform id, other payload
            new(person, At(D, 12), "OUT", RequestId: "e"),  // 7 ACCEPTED
        ];
        var rows = await fixture.SubmitBatchCommittedAsync(tenant, batch);

        Assert.Equal(
            ["ACCEPTED", "DUPLICATE", "REJECTED", "ACCEPTED", "DUPLICATE", "REJECTED", "ACCEPTED"],
            rows.Select(r => r.Outcome));
        Assert.Equal(rows[0].EventUuid, rows[1].EventUuid);
        Assert.Equal(rows[3].EventUuid, rows[4].EventUuid);
        Assert.Equal("STAFFING_IDEMPOTENCY_CONFLICT", rows[2].ErrorCode);
        Assert.Equal("STAFFING_IDEMPOTENCY_CONFLICT", rows[5].ErrorCode);
        Assert.Equal((3L, 3L + 2L), await CountsAsync(tenant)); // 3 PunchRecorded + D-1 and D changed once each
    }

    [Fact]
    public async Task A_repeat_of_a_row_rejected_against_the_ledger_is_judged_against_the_ledger()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "IN", RequestId: "q"));
        // Row 1 conflicts with the stored "q" and is not recorded, so row 2 (same platform id as row 1, a new
        // request id) finds nothing and is accepted; row 3 then repeats row 2's request id with other fields.
        Punch[] batch =
        [
            new(person, At(D, 10), "RAW", "DINGTALK", "p1", RequestId: "q"),
            new(person, At(D, 10), "RAW", "DINGTALK", "p1", RequestId: "q2"),
            new(person, At(D, 11), "RAW", "DINGTALK", "p9", RequestId: "q2"),
        ];
        var rows = await fixture.SubmitBatchCommittedAsync(tenant, batch);
        Assert.Equal(["REJECTED", "ACCEPTED", "REJECTED"], rows.Select(r => r.Outcome));
    }

    [Fact]
    public async Task New_rows_beside_a_recorded_key_are_recorded_in_order_with_one_audit_entry()
    {
        // The fast path's plain insert fails on the recorded key and 0021's statement runs instead (0026): what it
        // wrote must be what the plain insert would have written, and nothing of the failed attempt may remain.
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var recorded = await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "IN", RequestId: "kept"));
        Punch[] batch =
        [
            new(person, At(D, 12), "OUT"),
            new(person, At(D, 9), "IN", RequestId: "kept"),
            new(person, At(D, 13), "IN"),
            new(person, At(D, 18), "OUT"),
        ];
        var rows = await fixture.SubmitBatchCommittedAsync(tenant, batch);

        Assert.Equal(["ACCEPTED", "DUPLICATE", "ACCEPTED", "ACCEPTED"], rows.Select(r => r.Outcome));
        Assert.Equal(recorded.EventUuid, rows[1].EventUuid);
        Assert.True(rows[0].EventId < rows[2].EventId && rows[2].EventId < rows[3].EventId);
        // The single punch: PunchRecorded, D-1 and D changed; the batch: 3 PunchRecorded, D changed.
        Assert.Equal((4L, 3L + 4L), await CountsAsync(tenant));
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        Assert.Equal("3", await tx.ScalarAsync<string>(
            "SELECT string_agg(details ->> 'count', ',') FROM audit.entries WHERE tenant_id = $1 AND action = 'punches.recorded'",
            tenant));
        // IN 09:00, OUT 12:00 (180 min), IN 13:00, OUT 18:00 (300 min).
        var day = (await fixture.ReadResultsAsync(tenant, person)).Single(r => r.Values.WorkDate == D);
        Assert.Equal(("PRESENT", 480, 4), (day.Status, day.Values.WorkedMinutes, day.Values.PunchCount));
    }

    [Fact]
    public async Task A_retried_batch_is_all_duplicates_and_changes_nothing()
    {
        var tenant = PostgresFixture.NewTenant();
        var persons = await fixture.NewPersonsAsync(tenant, 20);
        var batch = persons.SelectMany(p => new[] { new Punch(p, At(D, 9), "IN"), new Punch(p, At(D, 18), "OUT") }).ToList();
        var first = await fixture.SubmitBatchCommittedAsync(tenant, batch);
        Assert.All(first, r => Assert.Equal("ACCEPTED", r.Outcome));
        var results = await fixture.ReadResultsAsync(tenant);
        var counts = await CountsAsync(tenant);

        var retry = await fixture.SubmitBatchCommittedAsync(tenant, batch);
        Assert.All(retry, r => Assert.Equal("DUPLICATE", r.Outcome));
        Assert.Equal(first.Select(r => r.EventUuid), retry.Select(r => r.EventUuid));
        Assert.Equal(counts, await CountsAsync(tenant));
        Assert.Equal(results, await fixture.ReadResultsAsync(tenant)); // computed_at included: nothing recomputed
    }

    [Fact]
    public async Task More_than_1000_punches_are_refused_as_a_whole()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var batch = Enumerable.Range(0, 1001).Select(i => new Punch(person, At(D, 9).AddSeconds(i), "RAW")).ToList();
        await using (var tx = await fixture.BeginAppAsync(tenant))
            await AssertKernelErrorAsync("STAFFING_INVALID_ARGUMENT", () => tx.SubmitBatchAsync(batch));
        Assert.Equal((0L, 0L), await CountsAsync(tenant));

        var rows = await fixture.SubmitBatchCommittedAsync(tenant, batch.Take(1000).ToList());
        Assert.Equal(1000, rows.Count(r => r.Outcome == "ACCEPTED"));
        var day = (await fixture.ReadResultsAsync(tenant, person)).Single(r => r.Values.WorkDate == D);
        Assert.Equal(1000, day.Values.PunchCount);
        // 500 RAW pairs a second apart: IN 09:00:00 … OUT 09:16:39, so no minute worked and a long early leave.
        Assert.Equal(("{EARLY_LEAVE}", 0, 518), (day.Flags, day.Values.WorkedMinutes, day.Values.EarlyLeaveMinutes));
    }

    [Fact]
    public async Task Arrays_of_different_lengths_are_refused()
    {
        var tenant = PostgresFixture.NewTenant();
        await using var tx = await fixture.BeginAppAsync(tenant);
        await AssertKernelErrorAsync("STAFFING_INVALID_ARGUMENT", () => tx.ExecuteAsync(
            "SELECT * FROM staffing.submit_time_punch_events($1, ARRAY[$1, $1]::uuid[], ARRAY[now()], '{IN}', '{MANUAL}', '{NULL}', '{r}', '{\"{}\"}', NULL)",
            tenant));
    }

    [Fact]
    public async Task An_empty_batch_returns_nothing()
    {
        var tenant = PostgresFixture.NewTenant();
        await using var tx = await fixture.BeginAppAsync(tenant);
        Assert.Empty(await tx.SubmitBatchAsync([]));
    }

    [Fact]
    public async Task A_batch_writes_the_same_results_as_the_single_door()
    {
        var random = new Random(4242);
        var viaBatch = PostgresFixture.NewTenant();
        var viaSingle = PostgresFixture.NewTenant();
        // A person belongs to one tenant: the two tenants get their own persons, matched by position.
        var batchPersons = await fixture.NewPersonsAsync(viaBatch, 30);
        var singlePersons = await fixture.NewPersonsAsync(viaSingle, 30);
        var punches = Enumerable.Range(0, 400).Select(_ => new Punch(
            batchPersons[random.Next(batchPersons.Length)],
            At(D, 0).AddMinutes(random.Next(0, 3 * 24 * 60)),
            random.Next(3) switch { 0 => "IN", 1 => "OUT", _ => "RAW" })).ToList();

        foreach (var chunk in punches.Chunk(150))
            await fixture.SubmitBatchCommittedAsync(viaBatch, chunk);
        foreach (var p in punches)
            await fixture.SubmitCommittedAsync(viaSingle, p with { Person = singlePersons[Array.IndexOf(batchPersons, p.Person)] });

        // Event ids and person uuids differ between the tenants; compare everything else, and each to the reference.
        ResultValues Shape(ResultValues v) => v with
        {
            MaxEventId = null,
            Person = Array.IndexOf(batchPersons, v.Person) is var i and >= 0 ? singlePersons[i] : v.Person,
        };
        var batchResults = (await fixture.ReadResultsAsync(viaBatch)).Select(r => r.Values).ToList();
        var singleResults = (await fixture.ReadResultsAsync(viaSingle)).Select(r => r.Values).ToList();
        Assert.Equal(singleResults.Select(Shape).OrderBy(v => (v.Person, v.WorkDate)), batchResults.Select(Shape).OrderBy(v => (v.Person, v.WorkDate)));

        await using var tx = await fixture.BeginAppAsync(viaBatch);
        var expected = ReferenceDailyResultCalculator.ComputeAll(await tx.ReadEventsAsync())
            .ToDictionary(v => (v.Person, v.WorkDate));
        Assert.Equal(expected.Count, batchResults.Count);
        Assert.All(batchResults, v => Assert.Equal(expected[(v.Person, v.WorkDate)], v));
    }

    [Fact]
    public async Task The_outbox_gets_one_punch_recorded_per_new_event_and_one_change_per_changed_day()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "IN"));
        // D-1 (new, ABSENT) and D (new, MISSING_OUT) changed.
        Assert.Equal(["PunchRecorded", "DailyResultChanged", "DailyResultChanged"], await MessagesAsync(tenant));

        await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 12), "IN"));
        // D-1 recomputed, unchanged; D still {MISSING_OUT} with the same minutes and first IN: no change either.
        Assert.Equal(4, (await MessagesAsync(tenant)).Count);

        await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 18), "OUT"));
        Assert.Equal(6, (await MessagesAsync(tenant)).Count); // PunchRecorded + D changed

        await using var tx = await fixture.BeginOwnerAsync(tenant);
        var payload = await tx.ScalarAsync<string>(
            "SELECT payload::text FROM staffing.outbox_messages WHERE tenant_id = $1 AND message_type = 'DailyResultChanged' ORDER BY outbox_id DESC, position DESC LIMIT 1", tenant);
        Assert.Contains($"\"person_uuid\": \"{person}\"", payload);
        Assert.Contains("\"work_date\": \"2026-04-06\"", payload);
        Assert.Contains("\"flags\": [\"MISSING_OUT\"]", payload);
        Assert.Contains("\"status\": \"EXCEPTION\"", payload);
    }

    private async Task<List<string>> MessagesAsync(Guid tenant)
    {
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        await using var command = tx.Command("SELECT message_type FROM staffing.outbox_messages WHERE tenant_id = $1 ORDER BY outbox_id, position", tenant);
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) types.Add(reader.GetString(0));
        return types;
    }
}
