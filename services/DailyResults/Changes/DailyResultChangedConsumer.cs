using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.DailyResults.Data;
using MassTransit;

namespace HrmsAttendance.DailyResults.Changes;

/// <summary>
/// Stores each DailyResultChanged in the change feed and wakes this process's watchers. Idempotent by construction: the
/// store keys a change by its message id, so a redelivery stores nothing and wakes nobody. A failure (database down)
/// throws, and the bus retries (exponential) before the message goes to the error queue.
/// </summary>
public sealed class DailyResultChangedConsumer(ChangeFeedStore store, ChangeFeedSignal signal) : IConsumer<DailyResultChanged>
{
    public async Task Consume(ConsumeContext<DailyResultChanged> context)
    {
        if (await store.RecordAsync(context.Message, context.CancellationToken) is not null)
            signal.Notify();
    }
}
