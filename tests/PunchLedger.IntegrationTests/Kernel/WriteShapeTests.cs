using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// What a door writes, beyond the results: one outbox row per call that spells out as the messages,
/// no rewrite of a result that did not change, time-ordered event UUIDs.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WriteShapeTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 6, 8);

    private async Task<List<(long Row, long[] EventIds, string Message, string Payload)>> OutboxAsync(Guid tenant)
    {
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        await using var command = tx.Command(
            """
            SELECT o.id, o.event_ids, m.message_type, m.payload::text
            FROM staffing.outbox o
            JOIN staffing.outbox_messages m ON m.outbox_id = o.id
            WHERE o.tenant_id = $1
            ORDER BY m.outbox_id, m.position
            """, tenant);
        var rows = new List<(long, long[], string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt64(0), reader.GetFieldValue<long[]>(1), reader.GetString(2), reader.GetString(3)));
        return rows;
    }

    [Fact]
    public async Task A_single_punch_writes_one_outbox_row_with_all_its_messages_and_a_retry_none()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var punch = new Punch(person, At(D, 9, 7), "IN", RequestId: "one-row");
        var first = await fixture.SubmitCommittedAsync(tenant, punch);

        var outbox = await OutboxAsync(tenant);
        Assert.Single(outbox.Select(m => m.Row).Distinct());
        Assert.Equal([first.EventId], outbox[0].EventIds);
        Assert.Equal(["PunchRecorded", "DailyResultChanged", "DailyResultChanged"], outbox.Select(m => m.Message));
        // The PunchRecorded message is built from the stored event.
        Assert.Contains($"\"event_uuid\": \"{first.EventUuid}\"", outbox[0].Payload);
        Assert.Contains("\"request_id\": \"one-row\"", outbox[0].Payload);
        Assert.Contains("\"work_date\": \"2026-06-08\"", outbox[0].Payload);
        Assert.Contains($"\"tenant_id\": \"{tenant}\"", outbox[0].Payload);
        // The day before (new, ABSENT), then the day itself (MISSING_OUT, LATE by 2 minutes).
        Assert.Contains("\"work_date\": \"2026-06-07\"", outbox[1].Payload);
        Assert.Contains("\"status\": \"ABSENT\"", outbox[1].Payload);
        Assert.Contains("\"flags\": [\"LATE\", \"MISSING_OUT\"]", outbox[2].Payload);

        Assert.True((await fixture.SubmitCommittedAsync(tenant, punch)).Duplicate);
        Assert.Equal(outbox.Select(m => (m.Row, m.Message, m.Payload)), (await OutboxAsync(tenant)).Select(m => (m.Row, m.Message, m.Payload)));
    }

    [Fact]
    public async Task A_batch_writes_one_outbox_row_listing_its_new_events_in_order()
    {
        var tenant = PostgresFixture.NewTenant();
        var a = await fixture.NewPersonAsync(tenant);
        var b = await fixture.NewPersonAsync(tenant);
        var stored = await fixture.SubmitCommittedAsync(tenant, new Punch(a, At(D, 9), "IN", RequestId: "stored"));
        var before = (await OutboxAsync(tenant)).Count;

        var rows = await fixture.SubmitBatchCommittedAsync(tenant,
        [
            new Punch(b, At(D, 9), "IN"),
            new Punch(a, At(D, 9), "IN", RequestId: "stored"), // DUPLICATE: no message
            new Punch(a, At(D, 18), "OUT"),
            new Punch(b, At(D, 17), "OUT"),
        ]);
        Assert.Equal(["ACCEPTED", "DUPLICATE", "ACCEPTED", "ACCEPTED"], rows.Select(r => r.Outcome));

        var added = (await OutboxAsync(tenant)).Skip(before).ToList();
        Assert.Single(added.Select(m => m.Row).Distinct());
        Assert.Equal([rows[0].EventId!.Value, rows[2].EventId!.Value, rows[3].EventId!.Value], added[0].EventIds);
        // Three PunchRecorded; a's day D changed, b's D-1 and D are new.
        Assert.Equal(["PunchRecorded", "PunchRecorded", "PunchRecorded", "DailyResultChanged", "DailyResultChanged", "DailyResultChanged"],
            added.Select(m => m.Message));
        Assert.DoesNotContain(added, m => m.Payload.Contains($"\"event_id\": {stored.EventId},"));

        // A batch that records nothing writes no row.
        await fixture.SubmitBatchCommittedAsync(tenant, [new Punch(a, At(D, 9), "IN", RequestId: "stored")]);
        Assert.Equal(before + added.Count, (await OutboxAsync(tenant)).Count);
    }

    [Fact]
    public async Task A_recomputed_result_that_did_not_change_is_not_rewritten()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "IN"));

        async Task<Dictionary<DateOnly, string>> VersionsAsync()
        {
            await using var tx = await fixture.BeginOwnerAsync(tenant);
            await using var command = tx.Command(
                "SELECT work_date, xmin::text || ctid::text FROM staffing.daily_attendance_results WHERE tenant_id = $1 AND person_uuid = $2",
                tenant, person);
            var versions = new Dictionary<DateOnly, string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) versions[reader.GetFieldValue<DateOnly>(0)] = reader.GetString(1);
            return versions;
        }

        var before = await VersionsAsync();
        // 05:00 on D+1 lies in D's window (and D+1's): D gets a new version; D-1 is not touched.
        await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D.AddDays(1), 5), "OUT"));
        var after = await VersionsAsync();
        Assert.Equal(before[D.AddDays(-1)], after[D.AddDays(-1)]);
        Assert.NotEqual(before[D], after[D]);
        Assert.True(after.ContainsKey(D.AddDays(1)));
    }

    [Fact]
    public async Task A_batch_numbers_its_event_uuids_after_one_time_ordered_uuid()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var first = await fixture.SubmitBatchCommittedAsync(tenant,
            Enumerable.Range(0, 20).Select(i => new Punch(person, At(D, 8).AddMinutes(i), i % 2 == 0 ? "IN" : "OUT")).ToList());
        await Task.Delay(3); // UUIDs are ordered by millisecond
        var second = await fixture.SubmitBatchCommittedAsync(tenant, [new Punch(person, At(D, 20), "IN")]);

        var uuids = first.Concat(second).Select(r => r.EventUuid!.Value).ToList();
        Assert.All(uuids, u => Assert.Equal('7', u.ToString()[14]));
        Assert.All(uuids, u => Assert.Contains(u.ToString()[19], "89ab"));
        Assert.Equal(uuids.Count, uuids.Distinct().Count());
        // In the batch: one stem, the row's ordinal in the last 12 bits; a later batch sorts after it.
        Assert.Single(first.Select(r => r.EventUuid!.Value.ToString()[..33]).Distinct());
        Assert.Equal(first.Select(r => r.Ordinal.ToString("x3")), first.Select(r => r.EventUuid!.Value.ToString()[33..]));
        Assert.True(string.CompareOrdinal(first[^1].EventUuid!.Value.ToString(), second[0].EventUuid!.Value.ToString()) < 0);
    }

    [Fact]
    public async Task Event_uuids_are_time_ordered_version_7()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var events = new List<SubmitResult>();
        for (var i = 0; i < 4; i++)
        {
            events.Add(await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9 + i), i % 2 == 0 ? "IN" : "OUT")));
            await Task.Delay(3); // UUIDs are ordered by millisecond; within one they are random
        }
        Assert.All(events, e => Assert.Equal('7', e.EventUuid.ToString()[14]));
        Assert.All(events, e => Assert.Contains(e.EventUuid.ToString()[19], "89ab"));

        await using var tx = await fixture.BeginOwnerAsync(tenant);
        await using var command = tx.Command(
            "SELECT id FROM staffing.time_punch_events WHERE tenant_id = $1 ORDER BY event_uuid", tenant);
        var byUuid = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) byUuid.Add(reader.GetInt64(0));
        Assert.Equal(events.Select(e => e.EventId), byUuid);
    }
}
