namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>"/": every resource of the topology with its state, health and endpoints; live.</summary>
internal static class ResourcesPage
{
    public static Markup Body(DashboardState state) => Html.H($"""
<h1>Resources</h1>
<p class="subtitle">What the AppHost launched, refreshed every 1.5 s.</p>
<div id="resources-live" data-live-src="/partials/resources" data-live-period="1500">
{Live(state)}
</div>
""");

    /// <summary>The part the page re-fetches: summary cards and the table.</summary>
    public static Markup Live(DashboardState state)
    {
        var resources = state.Resources.GetResources();
        var running = resources.Count(r => r.State == "Running");
        var healthy = resources.Count(r => r.Health == "Healthy");
        var restarts = resources.Sum(r => r.Restarts);
        return Html.H($"""
<div class="stats">
  <div class="stat"><div class="k">Resources</div><div class="v">{resources.Count}</div></div>
  <div class="stat"><div class="k">Running</div><div class="v {(running == resources.Count ? "ok" : "warn")}">{running} / {resources.Count}</div></div>
  <div class="stat"><div class="k">Healthy</div><div class="v {(healthy == resources.Count ? "ok" : "warn")}">{healthy} / {resources.Count}</div></div>
  <div class="stat"><div class="k">Restarts</div><div class="v {(restarts > 0 ? "warn" : "")}">{restarts}</div></div>
  <div class="stat"><div class="k">Traces kept</div><div class="v">{state.Traces.TraceCount}</div></div>
</div>
<div class="panel">
{(resources.Count == 0 ? Html.Raw("""<div class="empty"><b>No resources yet</b>The AppHost has not registered any resource.</div>""") : Table(resources))}
</div>
""");
    }

    private static Markup Table(IReadOnlyList<ResourceSnapshot> resources)
    {
        var now = DateTimeOffset.Now;
        return Html.H($"""
<table class="grid resources">
  <thead><tr><th>Name</th><th>Type</th><th>State</th><th>Health</th><th>Endpoints</th><th class="num">PID</th><th class="num">Restarts</th><th>Started</th><th></th></tr></thead>
  <tbody>
  {resources.Select(r => Html.H($"""
    <tr data-resource="{r.Name}">
      <td class="name">{r.Name}</td>
      <td><span class="type">{r.Type}</span></td>
      <td>{Badges.State(r.State)}</td>
      <td>{Badges.Health(r.Health)}</td>
      <td class="endpoints">{(r.Endpoints.Count == 0 ? Html.Raw("<span class=\"muted\">—</span>") : Markup.Join(r.Endpoints.Select(Endpoint)))}</td>
      <td class="num mono">{(r.ProcessId?.ToString() ?? "—")}</td>
      <td class="num">{r.Restarts}</td>
      <td class="nowrap">{(r.StartedAt is { } started ? Html.H($"""{Format.DateTime(started)} <span class="muted">· {Format.Since(started, now)}</span>""") : Html.Raw("<span class=\"muted\">—</span>"))}</td>
      <td class="nowrap"><a href="/logs/{Html.Segment(r.Name)}">Console logs →</a></td>
    </tr>
"""))}
  </tbody>
</table>
""");
    }

    /// <summary>Only http(s) endpoints become links: a javascript: "endpoint" must stay text.</summary>
    private static Markup Endpoint(string endpoint) =>
        endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? Html.H($"""<a href="{endpoint}" target="_blank" rel="noopener">{endpoint}</a>""")
            : Html.H($"""<span>{endpoint}</span>""");
}
