namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>Which top-navigation entry a page belongs to.</summary>
internal enum NavSection { Resources, Traces, StructuredLogs, Metrics, ConsoleLogs }

/// <summary>The shared page shell: head, top nav (with one console-log link per resource), footer.</summary>
internal static class PageLayout
{
    public static string Render(DashboardState state, string title, NavSection section, Markup body, string nonce, string? activeResource = null)
    {
        var resources = state.Resources.GetResources();
        var counters = state.Counters;
        var page = Html.H($"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · HRMS AppHost</title>
<link rel="icon" href="{Favicon}">
<style>{Html.Raw(DashboardStyles.Css)}</style>
</head>
<body>
<header class="top">
  <div class="bar">
    <a class="brand" href="/"><span class="logo"></span>HRMS Attendance <small>AppHost dashboard</small></a>
    <nav class="main">
      {NavLink("/", "Resources", section == NavSection.Resources)}
      {NavLink("/traces", "Traces", section == NavSection.Traces)}
      {NavLink("/structured", "Structured logs", section == NavSection.StructuredLogs)}
      {NavLink("/metrics", "Metrics", section == NavSection.Metrics)}
    </nav>
    <span class="live" title="Live parts of the page refresh every few seconds">live</span>
  </div>
  <nav class="sub">
    <span class="label">Console logs</span>
    {resources.Select(r => Html.H($"""<a href="/logs/{Html.Segment(r.Name)}"{Html.When(r.Name == activeResource, Html.Raw(" class=\"active\""))}>{r.Name}</a>"""))}
    {Html.When(resources.Count == 0, Html.Raw("<span class=\"label\">no resources yet</span>"))}
  </nav>
</header>
<main>
{body}
</main>
<footer>
  <span>OTLP/HTTP endpoint <code>{state.BaseUrl}</code> (http/protobuf)</span>
  <span>{counters.Spans} spans received</span>
  <span>{state.Traces.TraceCount} of at most {state.Traces.MaxTraces} traces kept</span>
  <span>{state.Traces.SpanCount} of at most {state.Traces.MaxSpans} spans kept</span>
  <span>{counters.LogRecords} log records received</span>
</footer>
<script nonce="{nonce}">{Html.Raw(DashboardScript.Js)}</script>
</body>
</html>
""");
        return page.Value;
    }

    // Inline, so the browser's /favicon.ico request never 404s (the CSP allows data: images).
    private const string Favicon =
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%233b82f6'/%3E%3Cpath d='M4 11V5h2v6zm3 0V7h2v4zm3 0V3h2v8z' fill='white'/%3E%3C/svg%3E";

    private static Markup NavLink(string href, string text, bool active) =>
        Html.H($"""<a href="{href}"{Html.When(active, Html.Raw(" class=\"active\""))}>{text}</a>""");
}
