namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>"/metrics": metrics are only counted (no charts): what each service sends, and how much.</summary>
internal static class MetricsPage
{
    public static Markup Body(DashboardState state)
    {
        var services = state.Metrics.Snapshot();
        return Html.H($"""
<h1>Metrics</h1>
<p class="subtitle">OTLP metrics are accepted and counted only; this dashboard draws no charts.</p>
<div class="panel">
{(services.Count == 0
    ? Html.Raw("""<div class="empty"><b>No metrics received</b>Services export them to /v1/metrics.</div>""")
    : Html.H($"""
<table class="grid metrics">
  <thead><tr><th>Service</th><th class="num">Exports</th><th class="num">Data points</th><th>Metric names</th></tr></thead>
  <tbody>
  {services.Select(s => Html.H($"""
    <tr><td>{Badges.Service(state.Colors, s.ServiceName)}</td><td class="num">{s.ExportedBatches}</td><td class="num">{s.DataPoints}</td><td class="mono">{string.Join(", ", s.MetricNames)}</td></tr>
"""))}
  </tbody>
</table>
"""))}
</div>
""");
    }
}
