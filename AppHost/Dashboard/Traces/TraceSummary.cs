namespace HrmsAttendance.AppHost.Dashboard.Traces;

/// <summary>One row of the trace list.</summary>
/// <param name="Services">Every service with a span in the trace, in order of their first span.</param>
/// <param name="RootSpanName">The earliest span with no parent, or whose parent never arrived.</param>
/// <param name="Duration">From the earliest span start to the latest span end.</param>
/// <param name="HasError">Whether any span has status Error.</param>
public sealed record TraceSummary(
    string TraceId,
    IReadOnlyList<string> Services,
    string RootSpanName,
    string RootServiceName,
    DateTimeOffset Start,
    TimeSpan Duration,
    int SpanCount,
    bool HasError);

/// <summary>Filters of the trace list; every filter is optional.</summary>
/// <param name="Service">Only traces with at least one span of this service.</param>
/// <param name="MinDuration">Only traces at least this long.</param>
/// <param name="Limit">At most this many traces, newest first.</param>
public sealed record TraceQuery(string? Service = null, TimeSpan? MinDuration = null, int Limit = 500);

/// <summary>A trace with its spans in waterfall order: depth-first, siblings by start time.</summary>
public sealed record TraceDetail(TraceSummary Summary, IReadOnlyList<WaterfallSpan> Spans);

/// <param name="Depth">0 for a root (or orphan) span, parent depth + 1 otherwise.</param>
/// <param name="Offset">How long after the trace start the span started.</param>
public sealed record WaterfallSpan(SpanRecord Span, int Depth, TimeSpan Offset);
