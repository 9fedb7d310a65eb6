using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.Messaging.Outbox;

/// <summary>
/// What the relay last saw — the backlog, the oldest unpublished row, the last failure — for the <c>outbox</c> health
/// check and the metrics (<c>outbox.backlog</c>, <c>outbox.lag</c> in seconds, <c>outbox.published</c>).
/// </summary>
public sealed class OutboxRelayState : IHealthCheck
{
    public const string MeterName = "HrmsAttendance.Outbox";

    private readonly OutboxRelayOptions _options;
    private readonly TimeProvider _clock;
    private readonly Counter<long> _published;
    private readonly KeyValuePair<string, object?> _sourceTag;
    private long _backlog;
    private long _publishedTotal;
    private DateTimeOffset? _oldestUnpublishedAt;
    private string? _lastFailure;

    public OutboxRelayState(IOptions<OutboxRelayOptions> options, TimeProvider clock, IMeterFactory meters)
    {
        _options = options.Value;
        _clock = clock;
        _sourceTag = new("source", _options.Source);
        var meter = meters.Create(MeterName);
        _published = meter.CreateCounter<long>("outbox.published", "{message}", "Messages the relay published and the broker confirmed.");
        meter.CreateObservableGauge("outbox.backlog", () => new Measurement<long>(Interlocked.Read(ref _backlog), _sourceTag),
            "{row}", "Outbox rows not yet published.");
        meter.CreateObservableGauge("outbox.lag", () => new Measurement<double>(Lag().TotalSeconds, _sourceTag),
            "s", "Age of the oldest unpublished outbox row (0 when there is none).");
    }

    public long Backlog => Interlocked.Read(ref _backlog);

    /// <summary>Messages this relay published since it started.</summary>
    public long PublishedTotal => Interlocked.Read(ref _publishedTotal);

    public TimeSpan Lag()
    {
        var oldest = _oldestUnpublishedAt;
        return oldest is null ? TimeSpan.Zero : (_clock.GetUtcNow() - oldest.Value) is var age && age > TimeSpan.Zero ? age : TimeSpan.Zero;
    }

    public void Sampled(long backlog, DateTimeOffset? oldestUnpublishedAt)
    {
        Interlocked.Exchange(ref _backlog, backlog);
        _oldestUnpublishedAt = oldestUnpublishedAt;
    }

    public void Published(int messages)
    {
        _published.Add(messages, _sourceTag);
        Interlocked.Add(ref _publishedTotal, messages);
    }

    public void Failed(string reason) => _lastFailure = reason;

    public void Recovered() => _lastFailure = null;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var data = new Dictionary<string, object> { ["backlog"] = Backlog, ["lagSeconds"] = Math.Round(Lag().TotalSeconds, 1) };
        if (_lastFailure is { } failure)
            return Task.FromResult(HealthCheckResult.Degraded($"The outbox relay cannot publish: {failure}", data: data));
        if (Lag() > _options.LagDegradedAfter)
            return Task.FromResult(HealthCheckResult.Degraded(
                $"The oldest unpublished outbox row is {Lag().TotalSeconds:0} s old (limit {_options.LagDegradedAfter.TotalSeconds:0} s).", data: data));
        return Task.FromResult(HealthCheckResult.Healthy($"{Backlog} outbox rows waiting.", data));
    }
}
