namespace HrmsAttendance.AppHost.Dashboard.Api;

// The JSON shapes of /api/*: flat, durations in milliseconds, ids as lowercase hex.

public sealed record TraceSummaryDto(
    string TraceId, IReadOnlyList<string> Services, string RootSpanName, string RootServiceName,
    DateTimeOffset Start, double DurationMs, int SpanCount, bool HasError);

public sealed record TraceDetailDto(TraceSummaryDto Summary, IReadOnlyList<SpanDto> Spans);

/// <param name="Depth">Nesting in the waterfall: 0 for a root.</param>
/// <param name="OffsetMs">Start relative to the trace start.</param>
public sealed record SpanDto(
    string SpanId, string? ParentSpanId, string Name, string Kind, string ServiceName, string ScopeName,
    int Depth, DateTimeOffset Start, double OffsetMs, double DurationMs, string Status, string? StatusMessage,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> ResourceAttributes,
    IReadOnlyList<SpanEventDto> Events);

public sealed record SpanEventDto(string Name, DateTimeOffset Time, IReadOnlyDictionary<string, string> Attributes);

public sealed record ConsoleLogsDto(string Resource, IReadOnlyList<LogLine> Lines);

public sealed record OtlpStatsDto(
    long SpansReceived, long SpansRejected, long LogRecordsReceived, long MetricExports, long FailedRequests,
    int TracesKept, int SpansKept, int MaxTraces, int MaxSpans, long EvictedTraces);
