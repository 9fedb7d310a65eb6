namespace HrmsAttendance.AppHost.Dashboard.Telemetry;

/// <summary>
/// The newest OTLP log records of every service, in arrival order, bounded (oldest dropped
/// first). Thread-safe.
/// </summary>
public sealed class StructuredLogStore
{
    public const int DefaultMaxRecords = 10_000;

    private readonly Lock _gate = new();
    private readonly Queue<StructuredLogRecord> _records = new();

    public StructuredLogStore(int maxRecords = DefaultMaxRecords)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        MaxRecords = maxRecords;
    }

    public int MaxRecords { get; }

    public int Count { get { lock (_gate) return _records.Count; } }

    public void Add(IEnumerable<StructuredLogRecord> records)
    {
        lock (_gate)
        {
            foreach (var record in records)
            {
                _records.Enqueue(record);
                if (_records.Count > MaxRecords) _records.Dequeue();
            }
        }
    }

    /// <summary>The newest <paramref name="max"/> matching records, oldest first (newest at the bottom).</summary>
    /// <param name="search">Case-insensitive, matched against the body and attribute values.</param>
    public IReadOnlyList<StructuredLogRecord> Query(string? service = null, string? search = null, string? traceId = null, int max = 500)
    {
        StructuredLogRecord[] all;
        lock (_gate) all = _records.ToArray();
        IEnumerable<StructuredLogRecord> matches = all;
        if (!string.IsNullOrEmpty(service)) matches = matches.Where(r => r.ServiceName == service);
        if (!string.IsNullOrEmpty(traceId)) matches = matches.Where(r => r.TraceId == traceId);
        if (!string.IsNullOrWhiteSpace(search)) matches = matches.Where(r => Matches(r, search.Trim()));
        return matches.TakeLast(Math.Max(0, max)).ToList();
    }

    public IReadOnlyList<string> GetServices()
    {
        StructuredLogRecord[] all;
        lock (_gate) all = _records.ToArray();
        return all.Select(r => r.ServiceName).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    private static bool Matches(StructuredLogRecord record, string search) =>
        record.Body.Contains(search, StringComparison.OrdinalIgnoreCase)
        || record.Severity.Contains(search, StringComparison.OrdinalIgnoreCase)
        || record.Attributes.Any(a => a.Value.Contains(search, StringComparison.OrdinalIgnoreCase));
}
