using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using HrmsAttendance.Contracts.Messages.V1;
using MassTransit;

namespace HrmsAttendance.Bus.Benchmarks;

/// <summary>The baseline's message: a PunchRecorded as the relay publishes it, on an exchange and queue of the bench's own.</summary>
[MessageUrn("hrms-attendance:bench:BaselinePunch")]
[EntityName("bus-bench.baseline-punch")]
public sealed record BaselinePunch(PunchRecorded Punch);

/// <summary>One message id as the bench received it: the first delivery's time, and how many deliveries.</summary>
public sealed class Delivery(Guid messageId, string kind, Guid tenant, Guid? eventId, DateTimeOffset occurredAt, DateTimeOffset firstReceived)
{
    private int _count;

    public Guid MessageId => messageId;
    public string Kind => kind;
    public Guid Tenant => tenant;
    public Guid? EventId => eventId;
    public DateTimeOffset OccurredAt => occurredAt;
    public DateTimeOffset FirstReceived => firstReceived;
    public int Count => Volatile.Read(ref _count);
    /// <summary>From the commit (the outbox row's created_at, the transaction's now()) to the first delivery.</summary>
    public TimeSpan Lag => firstReceived - occurredAt;

    internal void Delivered() => Interlocked.Increment(ref _count);
}

/// <summary>Every message the bench received, by message id (PunchRecorded, DailyResultChanged, the baseline's).</summary>
public sealed class Deliveries
{
    private readonly ConcurrentDictionary<Guid, Delivery> _byMessage = new();
    private long _lastArrivalTicks;

    /// <summary>The last time any message arrived (for waiting until the bus is quiet).</summary>
    public DateTimeOffset LastArrival => new(Interlocked.Read(ref _lastArrivalTicks), TimeSpan.Zero);

    public void Record(string kind, Guid messageId, Guid tenant, Guid? eventId, DateTimeOffset occurredAt)
    {
        var now = DateTimeOffset.UtcNow;
        _byMessage.GetOrAdd(messageId, id => new Delivery(id, kind, tenant, eventId, occurredAt, now)).Delivered();
        Interlocked.Exchange(ref _lastArrivalTicks, now.UtcTicks);
    }

    public List<Delivery> Of(Guid tenant, string? kind = null) =>
        _byMessage.Values.Where(d => d.Tenant == tenant && (kind is null || d.Kind == kind)).ToList();

    public HashSet<Guid> EventsOf(Guid tenant) =>
        _byMessage.Values.Where(d => d.Tenant == tenant && d.EventId is not null).Select(d => d.EventId!.Value).ToHashSet();

    /// <summary>A receive endpoint bound to PunchRecorded and DailyResultChanged (the ledger's exchanges) that records both.</summary>
    public void Consume(IRabbitMqReceiveEndpointConfigurator endpoint)
    {
        endpoint.Handler<PunchRecorded>(context =>
        {
            var m = context.Message;
            Record(nameof(PunchRecorded), m.MessageId, m.TenantId, m.EventId, m.OccurredAt);
            return Task.CompletedTask;
        });
        endpoint.Handler<DailyResultChanged>(context =>
        {
            var m = context.Message;
            Record(nameof(DailyResultChanged), m.MessageId, m.TenantId, null, m.OccurredAt);
            return Task.CompletedTask;
        });
    }

    /// <summary>Waits until <paramref name="done"/> holds, then until nothing arrived for <paramref name="quiet"/>; false on timeout.</summary>
    public async Task<bool> WaitAsync(Func<bool> done, TimeSpan quiet, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > timeout) return false;
            await Task.Delay(100);
        }
        while (DateTimeOffset.UtcNow - LastArrival < quiet) await Task.Delay(50);
        return true;
    }
}

/// <summary>Lags in microseconds, HdrHistogram (3 significant digits, up to an hour).</summary>
public static class Lags
{
    public static LongHistogram Of(IEnumerable<TimeSpan> lags)
    {
        var histogram = new LongHistogram(3_600_000_000L, 3);
        foreach (var lag in lags) histogram.RecordValue(Math.Max(0, lag.Ticks / 10));
        return histogram;
    }

    public static double Ms(LongHistogram histogram, double percentile) =>
        histogram.TotalCount == 0 ? double.NaN : histogram.GetValueAtPercentile(percentile) / 1000.0;

    public static string Line(LongHistogram histogram) =>
        $"p50 {Ms(histogram, 50),8:F1} ms   p99 {Ms(histogram, 99),8:F1} ms   max {histogram.GetMaxValue() / 1000.0,8:F1} ms   ({histogram.TotalCount:N0})";
}

/// <summary>A paced loop: slot i is due at start + i / rate; <c>senders</c> concurrent callers each take the next slot, wait
/// for it and make one call (a caller that is late calls at once, so the loop catches up as far as the callers allow).</summary>
public static class Paced
{
    /// <returns>The seconds from the first slot to the last call's end.</returns>
    public static async Task<double> RunAsync(int slots, double rate, int senders, Func<int, Task> call)
    {
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < slots; i = Interlocked.Increment(ref next))
            {
                var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due);
                await call(i);
            }
        }));
        return clock.Elapsed.TotalSeconds;
    }
}
