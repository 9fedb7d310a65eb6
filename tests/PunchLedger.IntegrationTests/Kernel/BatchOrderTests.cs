using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// The batch door gives exactly what submitting its rows one by one gives (issue 13 item 7): the same outcome per row,
/// the same events in the same (punch_time, id) order, the same daily results. In-batch repeats and punches tied to
/// the microsecond are where a set-based door can drift from that.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchOrderTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 7, 6);

    [Fact]
    public async Task A_repeated_request_id_keeps_its_place_among_punches_of_the_same_instant()
    {
        // The case: a redelivered OUT must not end up after the IN that arrived after it.
        Punch[] Rows(Guid person) =>
        [
            new(person, At(D, 12), "OUT", RequestId: "rid-A"),
            new(person, At(D, 12), "OUT", RequestId: "rid-A"),
            new(person, At(D, 12), "IN", RequestId: "rid-B"),
        ];
        var viaBatch = PostgresFixture.NewTenant();
        var batchPerson = await fixture.NewPersonAsync(viaBatch);
        var rows = await fixture.SubmitBatchCommittedAsync(viaBatch, Rows(batchPerson));
        Assert.Equal(["ACCEPTED", "DUPLICATE", "ACCEPTED"], rows.Select(r => r.Outcome));
        Assert.Equal(rows[0].EventId, rows[1].EventId);
        Assert.True(rows[0].EventId < rows[2].EventId, "the first row's event must come before the third's");

        var viaSingle = PostgresFixture.NewTenant();
        var singlePerson = await fixture.NewPersonAsync(viaSingle);
        foreach (var punch in Rows(singlePerson)) await fixture.SubmitCommittedAsync(viaSingle, punch);

        // OUT first (MISSING_IN), then the IN is never closed (MISSING_OUT); the IN at 12:00 is LATE.
        foreach (var (tenant, person) in new[] { (viaSingle, singlePerson), (viaBatch, batchPerson) })
        {
            var day = (await fixture.ReadResultsAsync(tenant, person)).Single(r => r.Values.WorkDate == D);
            Assert.Equal(("EXCEPTION", "{LATE,MISSING_IN,MISSING_OUT}", 0, 2), (day.Status, day.Flags, day.Values.WorkedMinutes, day.Values.PunchCount));
        }
    }

    [Fact]
    public async Task Keys_shared_with_invalid_rows_stored_events_or_other_providers_are_answered_as_one_by_one()
    {
        // Rows the fast path sends to the row-by-row path (0021): a key repeated in the batch, even by an invalid row or
        // under another provider, and keys already in the ledger, with and without a source_event_id.
        Punch[] Rows(Guid person) =>
        [
            new(person, At(D, 9), "IN", RequestId: "shared-with-invalid"),
            new(person, At(D, 9, 30), "BREAK", RequestId: "shared-with-invalid"),              // invalid: REJECTED
            new(person, At(D, 12), "OUT", "DINGTALK", "ding-7", RequestId: "ding-a"),
            new(person, At(D, 12, 30), "IN", "WECOM", "ding-7", RequestId: "wecom-a"),        // same id, other provider
            new(person, At(D, 18), "OUT", RequestId: "stored-plain"),                         // DUPLICATE of the stored one
            new(person, At(D, 18, 5), "OUT", RequestId: "stored-plain"),                      // same key, other time: CONFLICT
            new(person, At(D, 19), "RAW", "DINGTALK", "ding-stored", RequestId: "redelivered"), // DUPLICATE by source id
            new(person, At(D, 20), "IN"),
        ];
        Punch[] Stored(Guid person) =>
        [
            new(person, At(D, 18), "OUT", RequestId: "stored-plain"),
            new(person, At(D, 19), "RAW", "DINGTALK", "ding-stored", RequestId: "first-delivery"),
        ];

        var viaBatch = PostgresFixture.NewTenant();
        var batchPerson = await fixture.NewPersonAsync(viaBatch);
        foreach (var punch in Stored(batchPerson)) await fixture.SubmitCommittedAsync(viaBatch, punch);
        var rows = await fixture.SubmitBatchCommittedAsync(viaBatch, Rows(batchPerson));

        var viaSingle = PostgresFixture.NewTenant();
        var singlePerson = await fixture.NewPersonAsync(viaSingle);
        foreach (var punch in Stored(singlePerson)) await fixture.SubmitCommittedAsync(viaSingle, punch);
        var single = new List<(string Outcome, string? Code)>();
        foreach (var punch in Rows(singlePerson))
        {
            try
            {
                single.Add(((await fixture.SubmitCommittedAsync(viaSingle, punch)).Duplicate ? "DUPLICATE" : "ACCEPTED", null));
            }
            catch (PostgresException e)
            {
                single.Add(("REJECTED", e.MessageText));
            }
        }

        Assert.Equal(
            [
                ("ACCEPTED", null), ("REJECTED", "STAFFING_INVALID_ARGUMENT"), ("ACCEPTED", null), ("ACCEPTED", null),
                ("DUPLICATE", null), ("REJECTED", "STAFFING_IDEMPOTENCY_CONFLICT"), ("DUPLICATE", null), ("ACCEPTED", null),
            ],
            single);
        Assert.Equal(single, rows.Select(r => (r.Outcome, r.ErrorCode)));
        Assert.Equal(
            (await fixture.ReadResultsAsync(viaSingle, singlePerson)).Select(r => r.Values with { Person = Guid.Empty, MaxEventId = null }),
            (await fixture.ReadResultsAsync(viaBatch, batchPerson)).Select(r => r.Values with { Person = Guid.Empty, MaxEventId = null }));
    }

    [Theory]
    [InlineData(13)]
    [InlineData(2026)]
    [InlineData(70707)]
    public async Task Random_batches_with_repeats_and_ties_equal_one_by_one_submission(int seed)
    {
        seed = RandomLedger.SeedOr(seed);
        var random = new Random(seed);
        const int PersonCount = 5;
        var viaBatch = PostgresFixture.NewTenant();
        var viaSingle = PostgresFixture.NewTenant();
        var batchPersons = await fixture.NewPersonsAsync(viaBatch, PersonCount);
        var singlePersons = await fixture.NewPersonsAsync(viaSingle, PersonCount);

        // Rows over persons by index; instants from a small pool, so many tie to the microsecond.
        var instants = Enumerable.Range(0, 10).Select(_ => At(D.AddDays(random.Next(-1, 2)), random.Next(3, 24), random.Next(0, 2) * 30)).ToArray();
        var rows = new List<(int Person, Punch Punch)>();
        for (var i = 0; i < 400; i++)
        {
            var kind = random.Next(100);
            if (kind < 25 && rows.Count > 0)
            {
                rows.Add(rows[random.Next(rows.Count)]); // an exact repeat (a retry or a redelivery)
                continue;
            }
            var person = random.Next(PersonCount);
            var time = instants[random.Next(instants.Length)];
            var type = random.Next(3) switch { 0 => "IN", 1 => "OUT", _ => "RAW" };
            var punch = new Punch(batchPersons[person], time, type, RequestId: $"r{seed}-{i}");
            if (kind < 35 && rows.Count > 0)
                punch = punch with { RequestId = rows[random.Next(rows.Count)].Punch.EffectiveRequestId }; // same key, other fields
            else if (kind < 50)
                punch = punch with { Provider = "DINGTALK", SourceEventId = $"ding-{random.Next(30)}" }; // platform ids repeat
            else if (kind < 53)
                punch = punch with { Type = "BREAK" }; // invalid
            rows.Add((person, punch));
        }

        // The batch tenant: random chunk sizes, including single-row batches. The single tenant: one transaction per row.
        var batchOutcomes = new List<BatchRow>();
        for (var start = 0; start < rows.Count;)
        {
            var size = Math.Min(rows.Count - start, random.Next(1, 151));
            batchOutcomes.AddRange(await fixture.SubmitBatchCommittedAsync(viaBatch, rows.Skip(start).Take(size).Select(r => r.Punch).ToList()));
            start += size;
        }
        var singleOutcomes = new List<(string Outcome, string? Code, long? EventId)>();
        foreach (var (person, punch) in rows)
        {
            try
            {
                var result = await fixture.SubmitCommittedAsync(viaSingle, punch with { Person = singlePersons[person] });
                singleOutcomes.Add((result.Duplicate ? "DUPLICATE" : "ACCEPTED", null, result.EventId));
            }
            catch (PostgresException e)
            {
                singleOutcomes.Add(("REJECTED", e.MessageText, null));
            }
        }

        var batchEvents = await EventsAsync(viaBatch);
        var singleEvents = await EventsAsync(viaSingle);
        string? Name(Dictionary<long, string> events, long? id) => id is { } x ? events[x] : null;

        // 1. Each row's outcome, and the event it names (by request id: event ids differ between the tenants).
        var expected = singleOutcomes.Select(o => (o.Outcome, o.Code, Name(singleEvents.ById, o.EventId))).ToList();
        var actual = batchOutcomes.Select(o => (o.Outcome, o.ErrorCode, Name(batchEvents.ById, o.EventId))).ToList();
        var firstDifference = expected.Zip(actual).Select((pair, i) => (pair, i)).FirstOrDefault(x => x.pair.First != x.pair.Second);
        Assert.True(expected.SequenceEqual(actual),
            $"seed {seed}: row {firstDifference.i + 1} one by one {firstDifference.pair.First}, batch {firstDifference.pair.Second}");

        // 2. Each person's events in the order the rules read them.
        Assert.Equal(singleEvents.Order, batchEvents.Order);

        // 3. The daily results, the newest event of each day named by its request id.
        var singleResults = await ResultsAsync(viaSingle, singlePersons, singleEvents.ById);
        var batchResults = await ResultsAsync(viaBatch, batchPersons, batchEvents.ById);
        Assert.True(singleResults.Count > PersonCount, $"seed {seed}: the rows should produce results");
        Assert.Equal(singleResults, batchResults);
    }

    /// <summary>The tenant's events: request id by event id, and each person's request ids in (punch_time, id) order.</summary>
    private async Task<(Dictionary<long, string> ById, List<string> Order)> EventsAsync(Guid tenant)
    {
        await using var tx = await fixture.BeginAppAsync(tenant);
        await using var command = tx.Command(
            "SELECT id, person_uuid, request_id FROM staffing.time_punch_events WHERE tenant_id = $1 ORDER BY person_uuid, punch_time, id",
            tenant);
        var byId = new Dictionary<long, string>();
        var order = new List<(Guid Person, string RequestId)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            byId[reader.GetInt64(0)] = reader.GetString(2);
            order.Add((reader.GetGuid(1), reader.GetString(2)));
        }
        // Person uuids differ between the tenants; the request ids name the person's events in both.
        return (byId, order.GroupBy(o => o.Person).Select(g => string.Join(" ", g.Select(o => o.RequestId))).Order().ToList());
    }

    private async Task<List<string>> ResultsAsync(Guid tenant, Guid[] persons, Dictionary<long, string> events) =>
        (await fixture.ReadResultsAsync(tenant))
            .Select(r => r.Values)
            .Select(v => $"{Array.IndexOf(persons, v.Person)} {v with { Person = Guid.Empty, MaxEventId = null }} newest {(v.MaxEventId is { } id ? events[id] : "-")}")
            .Order()
            .ToList();
}
