using HrmsAttendance.AppHost.Dashboard.Traces;

namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>"/traces": the stored traces, newest first, filterable by service and minimum duration; live.</summary>
internal static class TracesPage
{
    public static Markup Body(DashboardState state, string? service, double? minMs)
    {
        var services = state.Traces.GetServices();
        var query = $"?service={Uri.EscapeDataString(service ?? "")}&minMs={minMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""}";
        return Html.H($"""
<h1>Traces</h1>
<p class="subtitle">Distributed traces the services exported over OTLP, newest first. Click a row for its waterfall.</p>
<div class="panel">
  <form class="filters" method="get" action="/traces">
    <label>Service
      <select name="service" data-autosubmit>
        <option value="">All services</option>
        {services.Select(s => Html.H($"""<option value="{s}"{Html.When(s == service, Html.Raw(" selected"))}>{s}</option>"""))}
      </select>
    </label>
    <label>Min duration (ms)
      <input type="number" name="minMs" min="0" step="any" value="{minMs}" placeholder="0">
    </label>
    <button type="submit">Apply</button>
    <a href="/traces">Clear filters</a>
  </form>
</div>
<div class="panel" id="traces-live" data-live-src="/partials/traces{query}" data-live-period="2000">
{Live(state, service, minMs)}
</div>
""");
    }

    public static Markup Live(DashboardState state, string? service, double? minMs)
    {
        var traces = state.Traces.ListTraces(new TraceQuery(
            Service: string.IsNullOrEmpty(service) ? null : service,
            MinDuration: minMs is > 0 ? TimeSpan.FromMilliseconds(minMs.Value) : null));
        if (traces.Count == 0)
        {
            return state.Traces.TraceCount == 0
                ? Html.H($"""<div class="empty"><b>No traces yet</b>Services send them to <code>{state.BaseUrl}/v1/traces</code> with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.</div>""")
                : Html.Raw("""<div class="empty"><b>No trace matches these filters</b></div>""");
        }

        var longest = Math.Max(traces.Max(t => t.Duration.TotalMilliseconds), 0.001);
        return Html.H($"""
<table class="grid traces">
  <thead><tr><th>Time</th><th>Name</th><th>Services</th><th>Duration</th><th class="num">Spans</th><th>Status</th><th>Trace id</th></tr></thead>
  <tbody>
  {traces.Select(t => Row(state, t, longest))}
  </tbody>
</table>
""");
    }

    private static Markup Row(DashboardState state, TraceSummary trace, double longestMs) => Html.H($"""
    <tr data-href="/traces/{trace.TraceId}" data-trace-id="{trace.TraceId}">
      <td class="nowrap mono">{Format.Time(trace.Start)}</td>
      <td><a class="name" href="/traces/{trace.TraceId}">{trace.RootSpanName}</a></td>
      <td>{trace.Services.Select(s => Badges.Service(state.Colors, s))}</td>
      <td><div class="durbar"><div class="track"><div class="fill{(trace.HasError ? " err" : "")}" style="width:{Format.Percent(trace.Duration.TotalMilliseconds / longestMs * 100)}%"></div></div><span>{Format.Duration(trace.Duration)}</span></div></td>
      <td class="num">{trace.SpanCount}</td>
      <td>{(trace.HasError ? Badges.Badge("Error", "err") : Badges.Badge("OK", "ok"))}</td>
      <td class="mono" title="{trace.TraceId}">{trace.TraceId[..Math.Min(12, trace.TraceId.Length)]}…</td>
    </tr>
""");
}
