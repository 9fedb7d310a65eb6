using System.Collections.Concurrent;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Messaging.Outbox;
using HrmsAttendance.PunchLedger.Data;
using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// The ledger's outbox relay (libs/Messaging) against the real schema, with a publisher that stands in for the broker:
/// a pass whose broker confirms only part of the messages in time keeps the confirmed rows and gives back only the rest.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OutboxRelayTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 8, 3);

    /// <summary>Confirms every message at once, except PunchRecorded of <see cref="Unconfirmed"/>: those never get a confirm.</summary>
    private sealed class StandInBroker : IOutboxPublisher
    {
        private readonly ConcurrentDictionary<long, int> _rowsInFlight = new();
        private int _mostRowsInFlight;

        public Guid? Unconfirmed { get; set; }
        /// <summary>How long each confirm takes.</summary>
        public TimeSpan ConfirmDelay { get; set; }
        public ConcurrentBag<object> Confirmed { get; } = [];
        /// <summary>The most outbox rows (passes, with one row per pass) whose messages were being published at once.</summary>
        public int MostRowsInFlight => Volatile.Read(ref _mostRowsInFlight);

        public async Task PublishAsync(object message, Guid messageId, CancellationToken ct)
        {
            var row = ((IAttendanceMessage)message).Sequence;
            _rowsInFlight.AddOrUpdate(row, 1, (_, n) => n + 1);
            var inFlight = _rowsInFlight.Count;
            for (var most = MostRowsInFlight; inFlight > most; most = MostRowsInFlight)
                Interlocked.CompareExchange(ref _mostRowsInFlight, inFlight, most);
            try
            {
                if (message is PunchRecorded punch && punch.PersonUuid == Unconfirmed)
                    await Task.Delay(Timeout.Infinite, ct);
                await Task.Delay(ConfirmDelay, ct);
                Confirmed.Add(message);
            }
            finally
            {
                if (_rowsInFlight.AddOrUpdate(row, 0, (_, n) => n - 1) == 0) _rowsInFlight.TryRemove(row, out _);
            }
        }
    }

    private OutboxRelay Relay(StandInBroker broker, OutboxSignal? written = null, TimeSpan? idleDelay = null, int batchSize = 10_000,
        int concurrentPasses = 1, OutboxBulkWrites? bulkWrites = null, TimeSpan? maxYieldToBulkWrites = null) =>
        LedgerOutboxRelay.Create(fixture.App, broker, new OutboxRelayOptions
        {
            BatchSize = batchSize,
            ConcurrentPasses = concurrentPasses,
            PublishTimeout = TimeSpan.FromSeconds(2),
            IdleDelay = idleDelay ?? TimeSpan.FromMilliseconds(100),
            MaxYieldToBulkWrites = maxYieldToBulkWrites ?? new OutboxRelayOptions().MaxYieldToBulkWrites,
        }, written, bulkWrites);

    private async Task<HashSet<Guid>> UnpublishedPersonsAsync(Guid tenant)
    {
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        await using var command = tx.Command("""
            SELECT DISTINCT e.person_uuid
            FROM staffing.outbox o JOIN staffing.time_punch_events e ON e.id = ANY (o.event_ids)
            WHERE o.tenant_id = $1 AND o.published_at IS NULL
            """, tenant);
        var persons = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) persons.Add(reader.GetGuid(0));
        return persons;
    }

    [Fact]
    public async Task A_pass_that_runs_out_of_time_keeps_the_rows_the_broker_confirmed_and_gives_back_only_the_others()
    {
        var broker = new StandInBroker();
        await Relay(broker).RelayOnceAsync(CancellationToken.None); // whatever other tests left
        var tenant = PostgresFixture.NewTenant();
        var persons = await fixture.NewPersonsAsync(tenant, 3);
        foreach (var (person, i) in persons.Select((person, i) => (person, i)))
            await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9, i), "IN"));
        Assert.Equal(persons.ToHashSet(), await UnpublishedPersonsAsync(tenant));

        broker.Unconfirmed = persons[0];
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => Relay(broker).RelayOnceAsync(CancellationToken.None));
        Assert.Contains("did not confirm 1 of", timedOut.Message);
        Assert.Equal([persons[0]], await UnpublishedPersonsAsync(tenant));

        broker.Unconfirmed = null;
        await Relay(broker).RelayOnceAsync(CancellationToken.None);
        Assert.Empty(await UnpublishedPersonsAsync(tenant));
        // The given-back row was published by the next pass; the kept ones were not published again.
        Assert.Single(broker.Confirmed.OfType<PunchRecorded>(), m => m.PersonUuid == persons[0]);
        Assert.Single(broker.Confirmed.OfType<PunchRecorded>(), m => m.PersonUuid == persons[1]);
        Assert.Single(broker.Confirmed.OfType<PunchRecorded>(), m => m.PersonUuid == persons[2]);
    }

    [Fact]
    public async Task A_write_through_the_store_wakes_the_relay_instead_of_waiting_for_its_next_poll()
    {
        var broker = new StandInBroker();
        var written = new OutboxSignal();
        // A poll so rare that only the wake-up can publish the punch while the test waits.
        using var relay = Relay(broker, written, idleDelay: TimeSpan.FromHours(1));
        await relay.StartAsync(CancellationToken.None);
        try
        {
            var tenant = PostgresFixture.NewTenant();
            var person = (await fixture.NewPersonsAsync(tenant, 1))[0];
            var store = new PunchStore(fixture.App, written);
            await store.SubmitAsync(tenant, null,
                new PunchCommand(person, At(D, 9), "IN", "MANUAL", null, $"wake-{Guid.NewGuid()}", "{}"),
                CancellationToken.None);

            Assert.True(await WaitUntilAsync(() => broker.Confirmed.OfType<PunchRecorded>().Any(m => m.PersonUuid == person)),
                "the relay did not publish the punch after the store's wake-up");
        }
        finally
        {
            await relay.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task While_a_bulk_write_runs_the_relay_holds_back_its_passes_and_publishes_when_it_ends()
    {
        var broker = new StandInBroker();
        var bulkWrites = new OutboxBulkWrites(TimeProvider.System);
        var tenant = PostgresFixture.NewTenant();
        var person = (await fixture.NewPersonsAsync(tenant, 1))[0];
        using var relay = Relay(broker, idleDelay: TimeSpan.FromMilliseconds(50), bulkWrites: bulkWrites);
        var bulk = bulkWrites.Begin(); // an import's commit
        await relay.StartAsync(CancellationToken.None);
        try
        {
            await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "IN"));
            await Task.Delay(TimeSpan.FromSeconds(1)); // twenty polls
            Assert.DoesNotContain(broker.Confirmed.OfType<PunchRecorded>(), m => m.PersonUuid == person);
            Assert.Equal([person], await UnpublishedPersonsAsync(tenant));

            bulk.Dispose();
            Assert.True(await WaitUntilAsync(() => broker.Confirmed.OfType<PunchRecorded>().Any(m => m.PersonUuid == person)),
                "the relay did not publish once the bulk write ended");
        }
        finally
        {
            bulk.Dispose();
            await relay.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_bulk_write_that_runs_longer_than_the_limit_no_longer_holds_the_relay_back()
    {
        var broker = new StandInBroker();
        var bulkWrites = new OutboxBulkWrites(TimeProvider.System);
        var tenant = PostgresFixture.NewTenant();
        var person = (await fixture.NewPersonsAsync(tenant, 1))[0];
        using var relay = Relay(broker, idleDelay: TimeSpan.FromMilliseconds(50), bulkWrites: bulkWrites,
            maxYieldToBulkWrites: TimeSpan.FromMilliseconds(300));
        using var bulk = bulkWrites.Begin(); // and never ends while the test runs
        await relay.StartAsync(CancellationToken.None);
        try
        {
            await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "IN"));
            Assert.True(await WaitUntilAsync(() => broker.Confirmed.OfType<PunchRecorded>().Any(m => m.PersonUuid == person)),
                "the relay held back past Outbox:MaxYieldToBulkWrites");
        }
        finally
        {
            await relay.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task While_passes_come_back_full_the_extra_passes_publish_other_rows_at_the_same_time(int concurrentPasses)
    {
        await Relay(new StandInBroker()).RelayOnceAsync(CancellationToken.None); // whatever other tests left, in one big pass
        var broker = new StandInBroker { ConfirmDelay = TimeSpan.FromMilliseconds(200) };
        var tenant = PostgresFixture.NewTenant();
        var persons = await fixture.NewPersonsAsync(tenant, 8);
        foreach (var (person, i) in persons.Select((person, i) => (person, i)))
            await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9, i), "IN"));

        // One row per pass: a backlog of 8 rows keeps every pass full until the last.
        using var relay = Relay(broker, batchSize: 1, concurrentPasses: concurrentPasses);
        await relay.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await WaitUntilAsync(async () => (await UnpublishedPersonsAsync(tenant)).Count == 0), "the backlog was not published");
        }
        finally
        {
            await relay.StopAsync(CancellationToken.None);
        }
        // At most one row per pass in flight; with extra passes, more than one at once (how many overlap is the scheduler's).
        if (concurrentPasses == 1) Assert.Equal(1, broker.MostRowsInFlight);
        else Assert.InRange(broker.MostRowsInFlight, 2, concurrentPasses);
        Assert.All(persons, person => Assert.Single(broker.Confirmed.OfType<PunchRecorded>(), m => m.PersonUuid == person));
    }

    private static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(50))
            if (await condition()) return true;
        return await condition();
    }

    private static Task<bool> WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));
}
