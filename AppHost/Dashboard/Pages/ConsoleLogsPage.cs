namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>"/logs/{resource}": a resource's console output, newest at the bottom; live and searchable.</summary>
internal static class ConsoleLogsPage
{
    public static Markup Body(DashboardState state, ResourceSnapshot resource, string? search) => Html.H($"""
<h1>{resource.Name} {Badges.State(resource.State)} {Badges.Health(resource.Health)}</h1>
<p class="subtitle"><span class="type">{resource.Type}</span> · console output (stdout and <span style="color:var(--err)">stderr</span>), newest at the bottom, refreshed every second.</p>
<form class="toolbar" method="get" action="/logs/{Html.Segment(resource.Name)}">
  <input type="search" name="search" value="{search}" placeholder="Search the console output…" autocomplete="off" data-live-param="search" data-live-target="console-live">
  <button type="submit" class="secondary">Search</button>
  <button type="button" class="secondary" data-pause-target="console-live">Pause</button>
</form>
<div class="console" data-stick-bottom>
  <div id="console-live" data-live-src="/partials/logs/{Html.Segment(resource.Name)}?search={Uri.EscapeDataString(search ?? "")}" data-live-period="1000">
{Lines(state, resource.Name, search)}
  </div>
</div>
""");

    public static Markup Lines(DashboardState state, string resourceName, string? search)
    {
        var lines = state.Resources.GetLogs(resourceName, string.IsNullOrWhiteSpace(search) ? null : search, state.Options.MaxConsoleLines);
        if (lines.Count == 0)
        {
            return string.IsNullOrWhiteSpace(search)
                ? Html.Raw("""<div class="line empty"><span></span><span></span><span class="text">No console output yet.</span></div>""")
                : Html.H($"""<div class="line empty"><span></span><span></span><span class="text">No line matches “{search}”.</span></div>""");
        }
        return Markup.Join(lines.Select(line => Html.H($"""
<div class="line {(line.Stream == "stderr" ? "stderr" : "stdout")}"><span class="ts">{Format.Time(line.Timestamp)}</span><span class="stream">{(line.Stream == "stderr" ? "ERR" : "OUT")}</span><span class="text">{Highlight(Format.StripAnsi(line.Text), search)}</span></div>
""")));
    }

    /// <summary>The text, encoded, with every case-insensitive occurrence of the search marked.</summary>
    internal static Markup Highlight(string text, string? search)
    {
        if (string.IsNullOrWhiteSpace(search)) return Html.H($"{text}");
        search = search.Trim();
        var parts = new List<Markup>();
        var at = 0;
        for (var hit = text.IndexOf(search, StringComparison.OrdinalIgnoreCase); hit >= 0; hit = text.IndexOf(search, at, StringComparison.OrdinalIgnoreCase))
        {
            parts.Add(Html.H($"{text[at..hit]}<mark>{text.Substring(hit, search.Length)}</mark>"));
            at = hit + search.Length;
        }
        parts.Add(Html.H($"{text[at..]}"));
        return Markup.Join(parts);
    }
}
