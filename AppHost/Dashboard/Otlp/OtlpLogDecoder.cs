using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Logs.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Logs.V1;
using HrmsAttendance.AppHost.Dashboard.Telemetry;
using HrmsAttendance.AppHost.Dashboard.Traces;

namespace HrmsAttendance.AppHost.Dashboard.Otlp;

/// <summary>ExportLogsServiceRequest → <see cref="StructuredLogRecord"/>s.</summary>
internal static class OtlpLogDecoder
{
    public static List<StructuredLogRecord> Decode(ExportLogsServiceRequest request)
    {
        var records = new List<StructuredLogRecord>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var service = OtlpValues.ServiceName(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var scope = scopeLogs.Scope?.Name ?? "";
                foreach (var log in scopeLogs.LogRecords)
                    records.Add(ToRecord(log, service, scope));
            }
        }
        return records;
    }

    private static StructuredLogRecord ToRecord(LogRecord log, string service, string scope) =>
        new(
            // The SDK may leave time_unix_nano at 0 (unknown); the arrival time is the best we have.
            Timestamp: log.TimeUnixNano == 0 ? DateTimeOffset.UtcNow : UnixNano.ToDateTimeOffset(log.TimeUnixNano),
            ServiceName: service,
            Severity: SeverityName(log.SeverityNumber, log.SeverityText),
            SeverityNumber: log.SeverityNumber,
            Body: OtlpValues.Text(log.Body),
            ScopeName: scope,
            TraceId: log.TraceId.Length == 16 ? OtlpValues.Id(log.TraceId) : null,
            SpanId: log.SpanId.Length == 8 ? OtlpValues.Id(log.SpanId) : null,
            Attributes: OtlpValues.Attributes(log.Attributes));

    /// <summary>Severity ranges from the OTLP logs data model, named as Microsoft.Extensions.Logging does.</summary>
    private static string SeverityName(int number, string text) => number switch
    {
        >= 1 and <= 4 => "Trace",
        >= 5 and <= 8 => "Debug",
        >= 9 and <= 12 => "Information",
        >= 13 and <= 16 => "Warning",
        >= 17 and <= 20 => "Error",
        >= 21 and <= 24 => "Critical",
        _ => string.IsNullOrEmpty(text) ? "Unspecified" : text,
    };
}
