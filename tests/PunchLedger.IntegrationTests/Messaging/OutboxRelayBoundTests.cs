using System.Collections.Concurrent;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Messaging.Outbox;
using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using HrmsAttendance.PunchLedger.IntegrationTests.Kernel;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Messaging;

/// <summary>
/// The relay sends a pass's messages at most <see cref="OutboxRelayOptions.MaxUnconfirmedPerPass"/> at a time (a batch
/// door call's row holds a message per punch and per changed day), and still publishes them all, each once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OutboxRelayBoundTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 9, 7);

    /// <summary>Confirms each message after a short delay; counts how many were awaiting their confirm at once.</summary>
    private sealed class CountingBroker : IOutboxPublisher
    {
        private int _unconfirmed, _mostUnconfirmed;
        public ConcurrentBag<object> Confirmed { get; } = [];
        public int MostUnconfirmed => Volatile.Read(ref _mostUnconfirmed);

        public async Task PublishAsync(object message, Guid messageId, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref _unconfirmed);
            for (var most = MostUnconfirmed; now > most; most = MostUnconfirmed)
                Interlocked.CompareExchange(ref _mostUnconfirmed, now, most);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(2), ct);
                Confirmed.Add(message);
            }
            finally
            {
                Interlocked.Decrement(ref _unconfirmed);
            }
        }
    }

    private OutboxRelay Relay(IOutboxPublisher broker, int maxUnconfirmed) => LedgerOutboxRelay.Create(fixture.App, broker, new OutboxRelayOptions
    {
        BatchSize = 10_000,
        ConcurrentPasses = 1,
        MaxUnconfirmedPerPass = maxUnconfirmed,
        PublishTimeout = TimeSpan.FromSeconds(20),
    });

    [Fact]
    public async Task A_batch_row_is_published_whole_with_no_more_than_the_bound_awaiting_confirms_at_once()
    {
        await Relay(new CountingBroker(), 10_000).RelayOnceAsync(CancellationToken.None); // whatever other tests left
        var tenant = PostgresFixture.NewTenant();
        var persons = await fixture.NewPersonsAsync(tenant, 20);
        // One batch door call: 40 punches (IN and OUT of 20 persons), so one outbox row with 40 PunchRecorded and the days.
        var punches = persons.SelectMany(person => new[] { new Punch(person, At(D, 9), "IN"), new Punch(person, At(D, 18), "OUT") }).ToList();
        await fixture.SubmitBatchCommittedAsync(tenant, punches);

        var broker = new CountingBroker();
        var claimed = await Relay(broker, maxUnconfirmed: 4).RelayOnceAsync(CancellationToken.None);

        Assert.True(claimed >= 40, $"the pass claimed {claimed} messages");
        Assert.InRange(broker.MostUnconfirmed, 1, 4);
        var recorded = broker.Confirmed.OfType<PunchRecorded>().Where(m => m.TenantId == tenant).ToList();
        Assert.Equal(40, recorded.Count);
        Assert.Equal(40, recorded.Select(m => m.MessageId).Distinct().Count());
        Assert.Contains(broker.Confirmed.OfType<DailyResultChanged>(), m => m.TenantId == tenant);
        // The row was marked published: the next pass has nothing of this tenant.
        var next = new CountingBroker();
        await Relay(next, 4).RelayOnceAsync(CancellationToken.None);
        Assert.DoesNotContain(next.Confirmed.OfType<IAttendanceMessage>(), m => m.TenantId == tenant);
    }
}
