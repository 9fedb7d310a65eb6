using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.DailyResults.Data;
using MassTransit;

namespace HrmsAttendance.DailyResults.Changes;

/// <summary>
/// Stores DailyResultChanged in the change feed in batches (one transaction for up to <see cref="BatchSize"/> messages,
/// instead of one per message) and wakes this process's watchers. Idempotent by construction: the store keys a change by
/// its message id, so a redelivery stores nothing and wakes nobody.
/// A failing batch is stored again one message at a time, so one bad message does not hold back the others: they are
/// stored (and streamed), then the consumer throws, the bus retries the batch (exponential) and moves it to the error
/// queue if the bad message keeps failing. The good messages that go there with it were stored already; requeued, they
/// store nothing.
/// </summary>
public sealed class DailyResultChangedConsumer(ChangeFeedStore store, ChangeFeedSignal signal, ILogger<DailyResultChangedConsumer> logger)
    : IConsumer<Batch<DailyResultChanged>>
{
    /// <summary>Most messages stored in one transaction.</summary>
    public const int BatchSize = 100;

    /// <summary>How long a batch waits for more messages after its first one: the latency a lone change pays.</summary>
    public static readonly TimeSpan BatchWait = TimeSpan.FromMilliseconds(10);

    public async Task Consume(ConsumeContext<Batch<DailyResultChanged>> context)
    {
        var changes = context.Message.Select(message => message.Message).ToList();
        try
        {
            if ((await store.RecordAsync(changes, context.CancellationToken)).Count > 0)
                signal.Notify();
        }
        catch (Exception batchFailure) when (changes.Count > 1 && !context.CancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(batchFailure, "Storing {Count} daily-result changes together failed; storing them one at a time", changes.Count);
            await RecordOneByOneAsync(changes, context.CancellationToken);
        }
    }

    private async Task RecordOneByOneAsync(List<DailyResultChanged> changes, CancellationToken ct)
    {
        var failures = new List<Exception>();
        var stored = 0;
        foreach (var change in changes)
        {
            try
            {
                stored += (await store.RecordAsync([change], ct)).Count;
            }
            catch (Exception failure) when (!ct.IsCancellationRequested)
            {
                failures.Add(failure);
            }
        }
        if (stored > 0)
            signal.Notify();
        if (failures.Count > 0)
            throw new AggregateException($"{failures.Count} of {changes.Count} daily-result changes could not be stored", failures);
    }
}
