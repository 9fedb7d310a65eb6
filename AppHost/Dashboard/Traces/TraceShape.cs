namespace HrmsAttendance.AppHost.Dashboard.Traces;

/// <summary>Derives a trace's summary and waterfall from its spans (pure functions, no locking).</summary>
internal static class TraceShape
{
    public static TraceSummary Summarize(string traceId, IReadOnlyCollection<SpanRecord> spans)
    {
        var byStart = spans.OrderBy(s => s.StartUnixNano).ToList();
        var spanIds = spans.Select(s => s.SpanId).ToHashSet();
        var root = byStart.FirstOrDefault(s => IsRoot(s, spanIds)) ?? byStart[0];
        var start = byStart[0].StartUnixNano;
        var end = spans.Max(s => Math.Max(s.EndUnixNano, s.StartUnixNano));
        return new TraceSummary(
            traceId,
            byStart.Select(s => s.ServiceName).Distinct().ToList(),
            root.Name,
            root.ServiceName,
            UnixNano.ToDateTimeOffset(start),
            UnixNano.Between(start, end),
            spans.Count,
            spans.Any(s => s.Status == SpanStatus.Error));
    }

    /// <summary>
    /// Depth-first from every root, children ordered by start. A span whose parent is missing
    /// (not exported yet, or evicted) is shown as a root rather than hidden.
    /// </summary>
    public static IReadOnlyList<WaterfallSpan> Waterfall(IReadOnlyCollection<SpanRecord> spans)
    {
        var spanIds = spans.Select(s => s.SpanId).ToHashSet();
        var children = spans
            .Where(s => !IsRoot(s, spanIds))
            .GroupBy(s => s.ParentSpanId!)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.StartUnixNano).ToList());
        var traceStart = spans.Min(s => s.StartUnixNano);

        var ordered = new List<WaterfallSpan>(spans.Count);
        var pending = new Stack<(SpanRecord Span, int Depth)>();
        foreach (var root in spans.Where(s => IsRoot(s, spanIds)).OrderByDescending(s => s.StartUnixNano))
            pending.Push((root, 0));

        // Iterative, so a deep (or maliciously deep) trace cannot overflow the stack. Every span
        // has exactly one parent, so each is visited once and a parent cycle is never entered
        // from a root; spans only reachable through a cycle are appended at the end.
        var visited = new HashSet<string>();
        while (pending.Count > 0)
        {
            var (span, depth) = pending.Pop();
            if (!visited.Add(span.SpanId)) continue;
            ordered.Add(new WaterfallSpan(span, depth, UnixNano.Between(traceStart, span.StartUnixNano)));
            if (children.TryGetValue(span.SpanId, out var kids))
                for (var i = kids.Count - 1; i >= 0; i--) pending.Push((kids[i], depth + 1));
        }
        foreach (var span in spans.Where(s => !visited.Contains(s.SpanId)).OrderBy(s => s.StartUnixNano))
            ordered.Add(new WaterfallSpan(span, 0, UnixNano.Between(traceStart, span.StartUnixNano)));
        return ordered;
    }

    private static bool IsRoot(SpanRecord span, HashSet<string> spanIds) =>
        span.ParentSpanId is null || !spanIds.Contains(span.ParentSpanId);
}
