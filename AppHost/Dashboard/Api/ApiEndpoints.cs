using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HrmsAttendance.AppHost.Dashboard.Traces;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HrmsAttendance.AppHost.Dashboard.Api;

/// <summary>
/// Read-only JSON over what the pages show: /api/resources, /api/logs/{resource}?search=,
/// /api/traces?service=&amp;minMs=, /api/traces/{id}, /api/structured-logs, /api/metrics, /api/otlp.
/// </summary>
internal static class ApiEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static void MapDashboardApi(this IEndpointRouteBuilder endpoints, DashboardState state)
    {
        endpoints.MapGet("/api/resources", context => WriteAsync(context, state.Resources.GetResources()));

        endpoints.MapGet("/api/logs/{resource}", context =>
        {
            var resource = (string)context.Request.RouteValues["resource"]!;
            if (state.Resources.GetResources().All(r => r.Name != resource))
                return NotFoundAsync(context, $"No resource named '{resource}'.");
            var lines = state.Resources.GetLogs(resource, Query(context, "search"), state.Options.MaxConsoleLines);
            return WriteAsync(context, new ConsoleLogsDto(resource, lines));
        });

        endpoints.MapGet("/api/traces", context =>
        {
            var minMs = double.TryParse(Query(context, "minMs"), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms > 0 && double.IsFinite(ms) ? ms : (double?)null;
            var traces = state.Traces.ListTraces(new TraceQuery(
                Service: Query(context, "service"),
                MinDuration: minMs is null ? null : TimeSpan.FromMilliseconds(minMs.Value)));
            return WriteAsync(context, traces.Select(ToDto));
        });

        endpoints.MapGet("/api/traces/{traceId}", context =>
        {
            var traceId = (string)context.Request.RouteValues["traceId"]!;
            var trace = state.Traces.GetTrace(traceId);
            return trace is null
                ? NotFoundAsync(context, $"Trace '{traceId}' is not in the store.")
                : WriteAsync(context, new TraceDetailDto(ToDto(trace.Summary), trace.Spans.Select(ToDto).ToList()));
        });

        endpoints.MapGet("/api/structured-logs", context =>
            WriteAsync(context, state.StructuredLogs.Query(Query(context, "service"), Query(context, "search"), Query(context, "traceId"), max: 1_000)));

        endpoints.MapGet("/api/metrics", context => WriteAsync(context, state.Metrics.Snapshot()));

        endpoints.MapGet("/api/otlp", context => WriteAsync(context, new OtlpStatsDto(
            state.Counters.Spans, state.Counters.RejectedSpans, state.Counters.LogRecords, state.Counters.MetricExports,
            state.Counters.FailedRequests, state.Traces.TraceCount, state.Traces.SpanCount, state.Traces.MaxTraces,
            state.Traces.MaxSpans, state.Traces.EvictedTraces)));
    }

    private static TraceSummaryDto ToDto(TraceSummary t) =>
        new(t.TraceId, t.Services, t.RootSpanName, t.RootServiceName, t.Start, t.Duration.TotalMilliseconds, t.SpanCount, t.HasError);

    private static SpanDto ToDto(WaterfallSpan row)
    {
        var s = row.Span;
        return new SpanDto(
            s.SpanId, s.ParentSpanId, s.Name, s.Kind, s.ServiceName, s.ScopeName, row.Depth, s.Start,
            row.Offset.TotalMilliseconds, s.Duration.TotalMilliseconds, s.Status.ToString(), s.StatusMessage,
            ToDictionary(s.Attributes), ToDictionary(s.ResourceAttributes),
            s.Events.Select(e => new SpanEventDto(e.Name, e.Time, ToDictionary(e.Attributes))).ToList());
    }

    /// <summary>OTLP allows a repeated key; the first one wins, as in most SDKs.</summary>
    private static Dictionary<string, string> ToDictionary(IReadOnlyList<SpanAttribute> attributes)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in attributes) result.TryAdd(attribute.Key, attribute.Value);
        return result;
    }

    private static string? Query(HttpContext context, string name)
    {
        var value = context.Request.Query[name].ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static Task WriteAsync<T>(HttpContext context, T value)
    {
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(value, Json, context.RequestAborted);
    }

    private static Task NotFoundAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return WriteAsync(context, new { error = message });
    }
}
