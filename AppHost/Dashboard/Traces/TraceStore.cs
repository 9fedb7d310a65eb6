namespace HrmsAttendance.AppHost.Dashboard.Traces;

/// <summary>
/// The spans received over OTLP, grouped by trace, in memory and bounded. When a bound is passed
/// the least recently updated trace is evicted whole (a trace that is still receiving spans is
/// therefore never the one evicted). Thread-safe: one lock, held only for dictionary work.
/// </summary>
public sealed class TraceStore
{
    public const int DefaultMaxSpans = 10_000;
    public const int DefaultMaxTraces = 1_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TraceEntry> _traces = new(StringComparer.Ordinal);
    // Oldest-updated first; eviction takes from the front.
    private readonly LinkedList<TraceEntry> _byLastUpdate = new();
    private int _spanCount;
    private long _evictedTraces;
    private long _droppedSpans;
    // Completed (and replaced) on every Add: what WaitForTraceAsync awaits instead of sleeping.
    private TaskCompletionSource _changed = NewSignal();

    public TraceStore(int maxSpans = DefaultMaxSpans, int maxTraces = DefaultMaxTraces)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSpans, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTraces, 1);
        MaxSpans = maxSpans;
        MaxTraces = maxTraces;
    }

    public int MaxSpans { get; }
    public int MaxTraces { get; }

    public int SpanCount { get { lock (_gate) return _spanCount; } }
    public int TraceCount { get { lock (_gate) return _traces.Count; } }
    public long EvictedTraces { get { lock (_gate) return _evictedTraces; } }

    /// <summary>Spans refused because their trace alone already held <see cref="MaxSpans"/> spans.</summary>
    public long DroppedSpans { get { lock (_gate) return _droppedSpans; } }

    /// <summary>Adds (or, for a span id already stored, replaces: exporters retry) spans.</summary>
    public void Add(IEnumerable<SpanRecord> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        lock (_gate)
        {
            foreach (var span in spans) AddLocked(span);
            EvictLocked();
        }
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    /// <summary>
    /// Completes with the first stored trace that satisfies <paramref name="match"/>, now or once
    /// spans arrive; for tests that wait for a service's batch exporter. Cancel to give up.
    /// </summary>
    public async Task<TraceDetail> WaitForTraceAsync(Func<TraceDetail, bool> match, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(match);
        while (true)
        {
            // Taken before looking, so spans added while we look still wake us.
            var changed = Volatile.Read(ref _changed).Task;
            foreach (var summary in ListTraces(new TraceQuery(Limit: int.MaxValue)))
            {
                if (GetTrace(summary.TraceId) is { } trace && match(trace)) return trace;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    public IReadOnlyList<TraceSummary> ListTraces(TraceQuery? query = null)
    {
        query ??= new TraceQuery();
        var snapshots = Snapshot(entry => query.Service is null || entry.Services.Contains(query.Service));
        return snapshots
            .Select(s => TraceShape.Summarize(s.TraceId, s.Spans))
            .Where(t => query.MinDuration is null || t.Duration >= query.MinDuration)
            .OrderByDescending(t => t.Start)
            .Take(Math.Max(0, query.Limit))
            .ToList();
    }

    /// <returns>Null when the trace is unknown (never received, or evicted).</returns>
    public TraceDetail? GetTrace(string traceId)
    {
        SpanRecord[] spans;
        lock (_gate)
        {
            if (!_traces.TryGetValue(NormalizeId(traceId), out var entry)) return null;
            spans = [.. entry.SpansById.Values];
        }
        return new TraceDetail(TraceShape.Summarize(spans[0].TraceId, spans), TraceShape.Waterfall(spans));
    }

    /// <summary>Every service with at least one stored span, sorted.</summary>
    public IReadOnlyList<string> GetServices()
    {
        lock (_gate)
            return _traces.Values.SelectMany(t => t.Services).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public void Clear()
    {
        lock (_gate)
        {
            _traces.Clear();
            _byLastUpdate.Clear();
            _spanCount = 0;
        }
    }

    private void AddLocked(SpanRecord span)
    {
        if (!_traces.TryGetValue(span.TraceId, out var entry))
        {
            entry = new TraceEntry(span.TraceId);
            entry.Node = _byLastUpdate.AddLast(entry);
            _traces.Add(span.TraceId, entry);
        }
        else
        {
            _byLastUpdate.Remove(entry.Node!);
            _byLastUpdate.AddLast(entry.Node!);
        }

        if (entry.SpansById.ContainsKey(span.SpanId))
        {
            entry.SpansById[span.SpanId] = span;
        }
        else if (entry.SpansById.Count >= MaxSpans)
        {
            _droppedSpans++;
            return;
        }
        else
        {
            entry.SpansById.Add(span.SpanId, span);
            _spanCount++;
        }
        entry.Services.Add(span.ServiceName);
    }

    private void EvictLocked()
    {
        while ((_traces.Count > MaxTraces || _spanCount > MaxSpans) && _byLastUpdate.First is { } oldest)
        {
            _byLastUpdate.RemoveFirst();
            _traces.Remove(oldest.Value.TraceId);
            _spanCount -= oldest.Value.SpansById.Count;
            _evictedTraces++;
        }
    }

    private List<(string TraceId, SpanRecord[] Spans)> Snapshot(Func<TraceEntry, bool> include)
    {
        lock (_gate)
            return _traces.Values.Where(include).Select(t => (t.TraceId, t.SpansById.Values.ToArray())).ToList();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string NormalizeId(string traceId) => traceId.Trim().ToLowerInvariant();

    private sealed class TraceEntry(string traceId)
    {
        public string TraceId { get; } = traceId;
        public Dictionary<string, SpanRecord> SpansById { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Services { get; } = new(StringComparer.Ordinal);
        public LinkedListNode<TraceEntry>? Node { get; set; }
    }
}
