using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Trace.V1;
using HrmsAttendance.AppHost.Dashboard.Traces;
using OtlpSpan = HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Trace.V1.Span;
using OtlpStatusCode = HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Trace.V1.Status.Types.StatusCode;

namespace HrmsAttendance.AppHost.Dashboard.Otlp;

/// <summary>ExportTraceServiceRequest → <see cref="SpanRecord"/>s.</summary>
internal static class OtlpTraceDecoder
{
    /// <param name="rejected">Spans without a valid 16-byte trace id or 8-byte span id.</param>
    public static List<SpanRecord> Decode(ExportTraceServiceRequest request, out int rejected)
    {
        rejected = 0;
        var spans = new List<SpanRecord>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var service = OtlpValues.ServiceName(resourceSpans.Resource);
            var resourceAttributes = OtlpValues.Attributes(resourceSpans.Resource?.Attributes);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = scopeSpans.Scope?.Name ?? "";
                foreach (var span in scopeSpans.Spans)
                {
                    if (span.TraceId.Length != 16 || span.SpanId.Length != 8)
                    {
                        rejected++;
                        continue;
                    }
                    spans.Add(ToRecord(span, service, scope, resourceAttributes));
                }
            }
        }
        return spans;
    }

    private static SpanRecord ToRecord(OtlpSpan span, string service, string scope, IReadOnlyList<SpanAttribute> resourceAttributes) =>
        new(
            TraceId: OtlpValues.Id(span.TraceId)!,
            SpanId: OtlpValues.Id(span.SpanId)!,
            ParentSpanId: OtlpValues.Id(span.ParentSpanId),
            Name: span.Name,
            Kind: KindName(span.Kind),
            ServiceName: service,
            ScopeName: scope,
            StartUnixNano: span.StartTimeUnixNano,
            EndUnixNano: span.EndTimeUnixNano,
            Attributes: OtlpValues.Attributes(span.Attributes),
            ResourceAttributes: resourceAttributes,
            Status: span.Status?.Code switch
            {
                OtlpStatusCode.Ok => SpanStatus.Ok,
                OtlpStatusCode.Error => SpanStatus.Error,
                _ => SpanStatus.Unset,
            },
            StatusMessage: string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
            Events: span.Events
                .Select(e => new SpanEvent(e.Name, e.TimeUnixNano, OtlpValues.Attributes(e.Attributes)))
                .ToList());

    private static string KindName(OtlpSpan.Types.SpanKind kind) => kind switch
    {
        OtlpSpan.Types.SpanKind.Internal => "Internal",
        OtlpSpan.Types.SpanKind.Server => "Server",
        OtlpSpan.Types.SpanKind.Client => "Client",
        OtlpSpan.Types.SpanKind.Producer => "Producer",
        OtlpSpan.Types.SpanKind.Consumer => "Consumer",
        _ => "Unspecified",
    };
}
