using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.DailyResults.Data;
using MassTransit;
using Npgsql;

namespace HrmsAttendance.DailyResults.Changes;

/// <summary>
/// Stores DailyResultChanged in the change feed in batches (one transaction for up to <see cref="BatchSize"/> messages,
/// instead of one per message) and wakes this process's watchers. Idempotent by construction: the store keys a change by
/// its message id, so a redelivery stores nothing and wakes nobody.
/// A batch refused for its content (a data exception or a constraint) is stored again one message at a time, so one bad
/// message does not hold back the others: they are
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
        catch (PostgresException batchFailure) when (changes.Count > 1 && IsAboutTheData(batchFailure))
        {
            logger.LogWarning(batchFailure, "Storing {Count} daily-result changes together failed; storing them one at a time", changes.Count);
            await RecordOneByOneAsync(changes, context.CancellationToken);
        }
    }

    /// <summary>A data exception or a broken constraint: a message's content, not the database's state (then the batch is retried whole).</summary>
    private static bool IsAboutTheData(PostgresException e) => e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

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
