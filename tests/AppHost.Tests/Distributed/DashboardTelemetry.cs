using System.Net;
using System.Text.Json;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>One span as the Aspire dashboard stores it (OTLP JSON: ids in hex, kind 2 = server, 3 = client).</summary>
public sealed record TraceSpan(string Service, string Scope, string Name, int Kind, string TraceId, string SpanId,
    string? ParentSpanId, ulong StartUnixNano, ulong EndUnixNano)
{
    public const int ServerKind = 2;
    public bool IsServer => Kind == ServerKind;
}

/// <summary>
/// The Aspire dashboard's telemetry API (<c>GET /api/telemetry/traces/{traceId}</c>, key in <c>x-api-key</c>): what
/// the services exported over OTLP, as the dashboard's trace view shows it.
/// </summary>
public sealed class DashboardTelemetry(Uri dashboard, string apiKey)
{
    /// <summary>Polls the trace until <paramref name="complete"/> holds for its spans (services export every second).</summary>
    public async Task<IReadOnlyList<TraceSpan>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<TraceSpan>, bool> complete,
        TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = dashboard };
        http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<TraceSpan> spans = [];
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync($"api/telemetry/traces/{traceId}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                spans = Parse(json.RootElement);
                if (complete(spans)) return spans;
            }
            else if (response.StatusCode != HttpStatusCode.NotFound)
            {
                throw new InvalidOperationException($"The dashboard's telemetry API answered {last}");
            }
            await Task.Delay(250);
        }
        throw new TimeoutException(
            $"Trace {traceId} was not complete within {timeout.TotalSeconds:0} s; spans: {string.Join("; ", spans)}; last answer: {last[..Math.Min(last.Length, 2000)]}");
    }

    private static List<TraceSpan> Parse(JsonElement root)
    {
        var spans = new List<TraceSpan>();
        var data = root.TryGetProperty("data", out var d) ? d : root;
        if (!data.TryGetProperty("resourceSpans", out var resourceSpans)) return spans;
        foreach (var resourceSpan in resourceSpans.EnumerateArray())
        {
            var service = "";
            if (resourceSpan.TryGetProperty("resource", out var resource) && resource.TryGetProperty("attributes", out var attributes))
            {
                foreach (var attribute in attributes.EnumerateArray())
                    if (attribute.GetProperty("key").GetString() == "service.name")
                        service = attribute.GetProperty("value").GetProperty("stringValue").GetString() ?? "";
            }
            foreach (var scopeSpan in resourceSpan.GetProperty("scopeSpans").EnumerateArray())
            {
                var scope = scopeSpan.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                foreach (var span in scopeSpan.GetProperty("spans").EnumerateArray())
                {
                    spans.Add(new TraceSpan(service, scope,
                        span.GetProperty("name").GetString() ?? "",
                        span.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.Number ? kind.GetInt32() : 0,
                        span.GetProperty("traceId").GetString() ?? "",
                        span.GetProperty("spanId").GetString() ?? "",
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                        Nanos(span, "startTimeUnixNano"),
                        Nanos(span, "endTimeUnixNano")));
                }
            }
        }
        return spans;
    }

    private static ulong Nanos(JsonElement span, string name) =>
        !span.TryGetProperty(name, out var value) ? 0
        : value.ValueKind == JsonValueKind.String ? ulong.Parse(value.GetString()!)
        : value.GetUInt64();
}
