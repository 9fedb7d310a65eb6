using HrmsAttendance.AppHost.Dashboard.Telemetry;

namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>"/structured": the log records the services exported over OTLP; live, by service and search.</summary>
internal static class StructuredLogsPage
{
    private const int MaxRows = 500;

    public static Markup Body(DashboardState state, string? service, string? search)
    {
        var services = state.StructuredLogs.GetServices();
        return Html.H($"""
<h1>Structured logs</h1>
<p class="subtitle">ILogger records exported over OTLP (the newest {MaxRows}, of at most {state.StructuredLogs.MaxRecords} kept), newest at the bottom.</p>
<div class="panel">
  <form class="filters" method="get" action="/structured">
    <label>Service
      <select name="service" data-autosubmit>
        <option value="">All services</option>
        {services.Select(s => Html.H($"""<option value="{s}"{Html.When(s == service, Html.Raw(" selected"))}>{s}</option>"""))}
      </select>
    </label>
    <label>Search
      <input type="search" name="search" value="{search}" placeholder="Message, level or attribute…" autocomplete="off" data-live-param="search" data-live-target="structured-live">
    </label>
    <button type="submit">Apply</button>
  </form>
</div>
<div class="panel" id="structured-live" data-live-src="/partials/structured?service={Uri.EscapeDataString(service ?? "")}&search={Uri.EscapeDataString(search ?? "")}" data-live-period="2000">
{Live(state, service, search)}
</div>
""");
    }

    public static Markup Live(DashboardState state, string? service, string? search)
    {
        var records = state.StructuredLogs.Query(service, search, max: MaxRows);
        return records.Count == 0
            ? Html.Raw("""<div class="empty"><b>No log records</b>Services export them to /v1/logs with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.</div>""")
            : Table(state, records, showTraceLink: true);
    }

    public static Markup Table(DashboardState state, IReadOnlyList<StructuredLogRecord> records, bool showTraceLink) => Html.H($"""
<table class="grid logs">
  <thead><tr><th>Time</th><th>Service</th><th>Level</th><th>Message</th>{Html.When(showTraceLink, Html.Raw("<th>Trace</th>"))}</tr></thead>
  <tbody>
  {records.Select(r => Html.H($"""
    <tr class="{(r.IsError ? "log-err" : r.IsWarning ? "log-warn" : "")}">
      <td class="nowrap mono">{Format.Time(r.Timestamp)}</td>
      <td>{Badges.Service(state.Colors, r.ServiceName)}</td>
      <td>{Level(r)}</td>
      <td class="msg">{r.Body}</td>
      {Html.When(showTraceLink, r.TraceId is null ? Html.Raw("<td></td>") : Html.H($"""<td class="mono"><a href="/traces/{r.TraceId}">{r.TraceId[..8]}…</a></td>"""))}
    </tr>
"""))}
  </tbody>
</table>
""");

    private static Markup Level(StructuredLogRecord record) =>
        Badges.Badge(record.Severity, record.IsError ? "err" : record.IsWarning ? "warn" : record.SeverityNumber is >= 9 ? "info" : "idle");
}
