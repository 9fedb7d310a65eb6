using HrmsAttendance.AppHost.Dashboard.Traces;

namespace HrmsAttendance.AppHost.Dashboard.Telemetry;

/// <summary>One log record received over OTLP (an ILogger call in a service).</summary>
/// <param name="Severity">Trace, Debug, Information, Warning, Error, Critical or the sender's text.</param>
/// <param name="TraceId">Lowercase hex, or null when the log was written outside any span.</param>
public sealed record StructuredLogRecord(
    DateTimeOffset Timestamp,
    string ServiceName,
    string Severity,
    int SeverityNumber,
    string Body,
    string ScopeName,
    string? TraceId,
    string? SpanId,
    IReadOnlyList<SpanAttribute> Attributes)
{
    /// <summary>OTLP severity numbers 17 and above are ERROR or FATAL.</summary>
    public bool IsError => SeverityNumber >= 17;

    public bool IsWarning => SeverityNumber is >= 13 and < 17;
}
