using HrmsAttendance.AppHost.Dashboard.Telemetry;
using HrmsAttendance.AppHost.Dashboard.Traces;

namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>
/// "/traces/{traceId}": the span waterfall. One row per span, indented by depth, its bar placed
/// and sized by start and duration relative to the whole trace, coloured by service (red when the
/// span failed). Each row is a &lt;details&gt;: opening it shows the span's attributes.
/// </summary>
internal static class TraceDetailPage
{
    private const int IndentPixels = 16;

    public static Markup Body(DashboardState state, TraceDetail trace)
    {
        var summary = trace.Summary;
        var totalMs = Math.Max(summary.Duration.TotalMilliseconds, 0.001);
        var errors = trace.Spans.Count(s => s.Span.Status == SpanStatus.Error);
        var logs = state.StructuredLogs.Query(traceId: summary.TraceId, max: 200);
        return Html.H($"""
<p class="subtitle"><a href="/traces">← Traces</a></p>
<h1>{summary.RootSpanName} {(summary.HasError ? Badges.Badge($"{errors} error{(errors == 1 ? "" : "s")}", "err") : Badges.Badge("OK", "ok"))}</h1>
<div class="trace-meta">
  <span>Trace id <b class="mono">{summary.TraceId}</b></span>
  <span>Started <b>{Format.DateTime(summary.Start)}</b></span>
  <span>Duration <b>{Format.Duration(summary.Duration)}</b></span>
  <span>Spans <b>{summary.SpanCount}</b></span>
  <span>Services <b>{summary.Services.Count}</b></span>
</div>
<div class="legend">{summary.Services.Select(s => Badges.Service(state.Colors, s))}</div>
<div class="panel waterfall">
  <div class="wf-head">
    <div>Span</div>
    <div class="wf-ticks">{Ticks(summary.Duration)}</div>
  </div>
  {trace.Spans.Select(s => Row(state, s, totalMs))}
</div>
{(logs.Count == 0 ? Markup.Empty : Logs(state, logs))}
""");
    }

    private static IEnumerable<Markup> Ticks(TimeSpan total) =>
        Enumerable.Range(0, 5).Select(i => Html.H($"""<span style="left:{i * 25}%">{Format.Duration(total * (i / 4.0))}</span>"""));

    private static Markup Row(DashboardState state, WaterfallSpan row, double totalMs)
    {
        var span = row.Span;
        var left = row.Offset.TotalMilliseconds / totalMs * 100;
        var width = span.Duration.TotalMilliseconds / totalMs * 100;
        var error = span.Status == SpanStatus.Error;
        // The duration label sits right of the bar; left of it when the bar ends near the edge;
        // inside it (white) when the bar is too wide for either.
        var duration = Format.Duration(span.Duration);
        var label =
            left + width < 82 ? Html.H($"""<span class="wf-dur" style="left:calc({Format.Percent(left + width)}% + 6px)">{duration}</span>""")
            : left > 18 ? Html.H($"""<span class="wf-dur" style="right:calc({Format.Percent(100 - left)}% + 6px)">{duration}</span>""")
            : Html.H($"""<span class="wf-dur inside" style="right:calc({Format.Percent(100 - left - width)}% + 6px)">{duration}</span>""");
        return Html.H($"""
  <details class="wf-row{(error ? " error" : "")}" data-span-id="{span.SpanId}">
    <summary>
      <div class="wf-label" style="padding-left:{14 + row.Depth * IndentPixels}px">
        <span class="caret">▶</span>
        <span class="dot" style="background:{state.Colors.For(span.ServiceName)}"></span>
        {Html.When(error, Html.Raw("""<span class="err-mark" title="Error">!</span>"""))}
        <span class="span-name" title="{span.Name}">{span.Name}</span>
        <span class="span-svc">{span.ServiceName}</span>
      </div>
      <div class="wf-lane">
        <div class="wf-bar" style="left:{Format.Percent(left)}%;width:{Format.Percent(width)}%;background:{state.Colors.For(span.ServiceName)}" title="{span.Name}: {Format.Duration(span.Duration)}"></div>
        {label}
      </div>
    </summary>
    {Details(row)}
  </details>
""");
    }

    private static Markup Details(WaterfallSpan row)
    {
        var span = row.Span;
        return Html.H($"""
    <div class="wf-details">
      <div>
        <h3>Span</h3>
        <table class="kv">
          <tr><th>Service</th><td>{span.ServiceName}</td></tr>
          <tr><th>Kind</th><td>{span.Kind}</td></tr>
          <tr><th>Status</th><td>{span.Status}{(span.StatusMessage is null ? "" : $": {span.StatusMessage}")}</td></tr>
          <tr><th>Duration</th><td>{Format.Duration(span.Duration)}</td></tr>
          <tr><th>Starts after</th><td>{Format.Duration(row.Offset)}</td></tr>
          <tr><th>Started</th><td>{Format.Time(span.Start)}</td></tr>
          <tr><th>Span id</th><td>{span.SpanId}</td></tr>
          <tr><th>Parent span id</th><td>{span.ParentSpanId ?? "— (root)"}</td></tr>
          <tr><th>Scope</th><td>{span.ScopeName}</td></tr>
        </table>
      </div>
      <div>
        <h3>Attributes</h3>
        {KeyValues(span.Attributes, "No attributes.")}
        {(span.Events.Count == 0 ? Markup.Empty : Html.H($"""
        <h3>Events</h3>
        <table class="kv">{span.Events.Select(e => Html.H($"""<tr><th>{Format.Time(e.Time)}</th><td><b>{e.Name}</b>{(e.Attributes.Count == 0 ? "" : "\n" + string.Join("\n", e.Attributes.Select(a => $"{a.Key} = {a.Value}")))}</td></tr>"""))}</table>
"""))}
        <h3>Resource</h3>
        {KeyValues(span.ResourceAttributes, "No resource attributes.")}
      </div>
    </div>
""");
    }

    private static Markup KeyValues(IReadOnlyList<SpanAttribute> attributes, string whenEmpty) =>
        attributes.Count == 0
            ? Html.H($"""<p class="muted">{whenEmpty}</p>""")
            : Html.H($"""<table class="kv">{attributes.Select(a => Html.H($"""<tr><th>{a.Key}</th><td>{a.Value}</td></tr>"""))}</table>""");

    private static Markup Logs(DashboardState state, IReadOnlyList<StructuredLogRecord> logs) => Html.H($"""
<h2>Logs in this trace</h2>
<div class="panel">{StructuredLogsPage.Table(state, logs, showTraceLink: false)}</div>
""");
}
