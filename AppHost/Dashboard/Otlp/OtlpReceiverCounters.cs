namespace HrmsAttendance.AppHost.Dashboard.Otlp;

/// <summary>What the OTLP receiver has taken in since start; for the pages' footer and tests.</summary>
public sealed class OtlpReceiverCounters
{
    private long _spans;
    private long _rejectedSpans;
    private long _logRecords;
    private long _metricExports;
    private long _failedRequests;

    public long Spans => Interlocked.Read(ref _spans);
    /// <summary>Spans refused for a malformed trace or span id.</summary>
    public long RejectedSpans => Interlocked.Read(ref _rejectedSpans);
    public long LogRecords => Interlocked.Read(ref _logRecords);
    public long MetricExports => Interlocked.Read(ref _metricExports);
    /// <summary>Requests answered 4xx/5xx: bad media type, bad body, too large.</summary>
    public long FailedRequests => Interlocked.Read(ref _failedRequests);

    internal void AddSpans(int accepted, int rejected)
    {
        Interlocked.Add(ref _spans, accepted);
        Interlocked.Add(ref _rejectedSpans, rejected);
    }

    internal void AddLogRecords(int count) => Interlocked.Add(ref _logRecords, count);
    internal void AddMetricExport() => Interlocked.Increment(ref _metricExports);
    internal void AddFailedRequest() => Interlocked.Increment(ref _failedRequests);
}
