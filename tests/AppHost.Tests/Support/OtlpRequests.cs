using System.Net.Http.Headers;
using Google.Protobuf;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Trace.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Common.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Resource.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Trace.V1;
using OtlpSpanKind = HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Trace.V1.Span.Types.SpanKind;

namespace HrmsAttendance.AppHost.Tests.Support;

/// <summary>
/// Builds OTLP trace requests by hand (exact timings and ids, unlike a live SDK), using the
/// AppHost's own generated messages.
/// </summary>
public sealed class OtlpTraceBuilder
{
    private readonly Dictionary<string, ResourceSpans> _byService = new(StringComparer.Ordinal);

    public OtlpTraceBuilder(string? traceId = null, DateTimeOffset? start = null)
    {
        TraceId = traceId ?? Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        Start = start ?? DateTimeOffset.UtcNow.AddSeconds(-1);
    }

    public string TraceId { get; }
    public DateTimeOffset Start { get; }

    /// <summary>Adds a span from <paramref name="startMs"/> to <paramref name="endMs"/> after the trace start; returns its span id.</summary>
    public string AddSpan(string service, string name, double startMs, double endMs, string? parentSpanId = null,
        OtlpSpanKind kind = OtlpSpanKind.Internal, bool error = false, string? statusMessage = null,
        params (string Key, object Value)[] attributes)
    {
        var spanId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString(TraceId)),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(spanId)),
            Name = name,
            Kind = kind,
            StartTimeUnixNano = UnixNano(Start.AddTicks((long)(startMs * TimeSpan.TicksPerMillisecond))),
            EndTimeUnixNano = UnixNano(Start.AddTicks((long)(endMs * TimeSpan.TicksPerMillisecond))),
            Status = new Status { Code = error ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Unset, Message = statusMessage ?? "" },
        };
        if (parentSpanId is not null) span.ParentSpanId = ByteString.CopyFrom(Convert.FromHexString(parentSpanId));
        span.Attributes.AddRange(attributes.Select(a => Attribute(a.Key, a.Value)));
        ScopeFor(service).Spans.Add(span);
        return spanId;
    }

    public ExportTraceServiceRequest Build()
    {
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.AddRange(_byService.Values.Select(r => r.Clone()));
        return request;
    }

    public static KeyValue Attribute(string key, object value) => new()
    {
        Key = key,
        Value = value switch
        {
            string s => new AnyValue { StringValue = s },
            bool b => new AnyValue { BoolValue = b },
            int i => new AnyValue { IntValue = i },
            long l => new AnyValue { IntValue = l },
            double d => new AnyValue { DoubleValue = d },
            _ => new AnyValue { StringValue = value.ToString() },
        },
    };

    public static ulong UnixNano(DateTimeOffset time) => (ulong)(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public static HttpContent Protobuf(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    private ScopeSpans ScopeFor(string service)
    {
        if (!_byService.TryGetValue(service, out var resourceSpans))
        {
            resourceSpans = new ResourceSpans { Resource = new Resource() };
            resourceSpans.Resource.Attributes.Add(Attribute("service.name", service));
            resourceSpans.Resource.Attributes.Add(Attribute("service.instance.id", $"{service}-1"));
            resourceSpans.ScopeSpans.Add(new ScopeSpans { Scope = new InstrumentationScope { Name = "test" } });
            _byService.Add(service, resourceSpans);
        }
        return resourceSpans.ScopeSpans[0];
    }
}
