namespace HrmsAttendance.AppHost.Dashboard.Api;

// The JSON shapes of /api/*: flat, durations in milliseconds, ids as lowercase hex.

internal sealed record TraceSummaryDto(
    string TraceId, IReadOnlyList<string> Services, string RootSpanName, string RootServiceName,
    DateTimeOffset Start, double DurationMs, int SpanCount, bool HasError);

internal sealed record TraceDetailDto(TraceSummaryDto Summary, IReadOnlyList<SpanDto> Spans);

/// <param name="Depth">Nesting in the waterfall: 0 for a root.</param>
/// <param name="OffsetMs">Start relative to the trace start.</param>
internal sealed record SpanDto(
    string SpanId, string? ParentSpanId, string Name, string Kind, string ServiceName, string ScopeName,
    int Depth, DateTimeOffset Start, double OffsetMs, double DurationMs, string Status, string? StatusMessage,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> ResourceAttributes,
    IReadOnlyList<SpanEventDto> Events);

internal sealed record SpanEventDto(string Name, DateTimeOffset Time, IReadOnlyDictionary<string, string> Attributes);

internal sealed record ConsoleLogsDto(string Resource, IReadOnlyList<LogLine> Lines);

internal sealed record OtlpStatsDto(
    long SpansReceived, long SpansRejected, long LogRecordsReceived, long MetricExports, long FailedRequests,
    int TracesKept, int SpansKept, int MaxTraces, int MaxSpans, long EvictedTraces);
