using System.Net;
using Google.Protobuf;
using HrmsAttendance.AppHost.Dashboard;
using HrmsAttendance.AppHost.Tests.Support;
using OtlpSpanKind = HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Trace.V1.Span.Types.SpanKind;

namespace HrmsAttendance.AppHost.Tests;

/// <summary>The server-rendered pages: key content present, untrusted text encoded.</summary>
public sealed class PageRenderingTests : IAsyncLifetime
{
    private TestDashboard _test = null!;
    private OtlpTraceBuilder _punch = null!;

    public async Task InitializeAsync()
    {
        _test = await TestDashboard.StartAsync();
        SampleTopology.AddResources(_test.Resources);
        _punch = SampleTopology.PunchTrace();
        await PostAsync(_punch);
    }

    public async Task DisposeAsync() => await _test.DisposeAsync();

    private async Task PostAsync(OtlpTraceBuilder trace)
    {
        using var response = await _test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(trace.Build().ToByteArray()));
        response.EnsureSuccessStatusCode();
    }

    private async Task<string> GetHtmlAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _test.Http.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Resources_page_lists_every_resource_with_badges_and_nav()
    {
        var html = await GetHtmlAsync("/");

        Assert.Contains("<tr data-resource=\"punch-ledger\">", html);
        Assert.Contains("<span class=\"badge ok\">Running</span>", html);
        Assert.Contains("<span class=\"badge err\">Unhealthy</span>", html);
        Assert.Contains("<span class=\"badge idle\">Exited</span>", html);
        Assert.Contains("<a href=\"http://127.0.0.1:5101\" target=\"_blank\" rel=\"noopener\">http://127.0.0.1:5101</a>", html);
        Assert.Contains("<span>tcp://127.0.0.1:54329</span>", html); // not an http link
        Assert.Contains("41402", html);
        Assert.Contains("href=\"/logs/postgres\"", html); // nav: console logs of each resource
        Assert.Contains("href=\"/traces\"", html);
        Assert.Contains("data-live-src=\"/partials/resources\"", html);
        Assert.Empty(ExternalLoads(html));
    }

    [Fact]
    public async Task Resources_fragment_reflects_the_current_state()
    {
        _test.Resources.Set(new ResourceSnapshot("punch-ledger", "project", "Restarting", "Unhealthy", [], null, 1, null));
        var html = await GetHtmlAsync("/partials/resources");
        Assert.Contains("<span class=\"badge warn\">Restarting</span>", html);
        Assert.DoesNotContain("<html", html);
    }

    [Fact]
    public async Task Console_logs_page_shows_lines_marks_stderr_strips_ansi_and_searches()
    {
        var html = await GetHtmlAsync("/logs/punch-ledger");
        Assert.Contains("Now listening on: http://127.0.0.1:5101", html);
        Assert.False(html.Contains('\u001b'), "ANSI escape left in the page"); // (xunit string asserts are culture-aware and ignore control characters)
        Assert.Contains("<div class=\"line stderr\">", html);
        Assert.Contains("Duplicate punch rejected", html);

        var searched = await GetHtmlAsync("/partials/logs/punch-ledger?search=e-1042");
        Assert.Contains("<mark>E-1042</mark>", searched);
        Assert.DoesNotContain("globex", searched);

        await GetHtmlAsync("/logs/nope", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Traces_page_lists_and_filters_traces()
    {
        var other = new OtlpTraceBuilder();
        other.AddSpan("identity", "GET /health", 0, 0.4, kind: OtlpSpanKind.Server);
        await PostAsync(other);

        var html = await GetHtmlAsync("/traces");
        Assert.Contains($"data-href=\"/traces/{_punch.TraceId}\"", html);
        Assert.Contains($"data-href=\"/traces/{other.TraceId}\"", html);
        Assert.Contains("POST /api/v1/punches", html);
        Assert.Contains("<option value=\"notification-worker\">notification-worker</option>", html);
        Assert.Contains("<span class=\"badge err\">Error</span>", html);

        var slowOnly = await GetHtmlAsync("/traces?minMs=10");
        Assert.Contains(_punch.TraceId, slowOnly);
        Assert.DoesNotContain(other.TraceId, slowOnly);

        var byService = await GetHtmlAsync("/partials/traces?service=punch-ledger");
        Assert.Contains(_punch.TraceId, byService);
        Assert.DoesNotContain(other.TraceId, byService);
    }

    [Fact]
    public async Task Trace_page_draws_one_waterfall_row_per_span_with_positioned_bars()
    {
        var html = await GetHtmlAsync($"/traces/{_punch.TraceId}");

        Assert.Equal(10, Count(html, "<details class=\"wf-row"));
        Assert.Equal(1, Count(html, "<details class=\"wf-row error\""));
        Assert.Contains("SMTP server did not answer within 20 s", html);
        Assert.Contains("INSERT INTO punches (employee_id, tenant_id, at) VALUES ($1, $2, $3)", html);
        // The root spans 0–48 ms of a 58 ms trace; the ledger's Postgres span starts at 16 ms.
        Assert.Contains("style=\"left:0%;width:82.76%;", html);
        Assert.Contains("style=\"left:27.59%;width:18.97%;", html);
        Assert.Contains("padding-left:46px", html); // depth 2
        await GetHtmlAsync("/traces/0123456789abcdef0123456789abcdef", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Untrusted_text_is_html_encoded_everywhere()
    {
        const string evil = "<script>alert('x')</script>";
        var trace = new OtlpTraceBuilder();
        trace.AddSpan($"svc{evil}", $"span{evil}", 0, 5, error: true, statusMessage: evil, attributes: [("user.input", evil), (evil, "key")]);
        await PostAsync(trace);
        _test.Resources.Set(new ResourceSnapshot("evil", "project", evil, evil, ["javascript:alert(1)"], null, 0, null));
        _test.Resources.Log("evil", "stderr", evil);

        foreach (var path in new[] { $"/traces/{trace.TraceId}", "/traces", "/", "/logs/evil", "/partials/logs/evil?search=script" })
        {
            var html = await GetHtmlAsync(path);
            Assert.DoesNotContain("<script>alert", html);
            Assert.DoesNotContain("href=\"javascript:", html);
        }
        var tracePage = await GetHtmlAsync($"/traces/{trace.TraceId}");
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", tracePage);
    }

    [Fact]
    public async Task Pages_carry_a_nonce_content_security_policy()
    {
        using var response = await _test.Http.GetAsync("/");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        var nonce = csp.Split("'nonce-")[1].Split('\'')[0];
        Assert.Contains($"<script nonce=\"{nonce}\">", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Structured_logs_and_metrics_pages_render_empty_states()
    {
        Assert.Contains("No log records", await GetHtmlAsync("/structured"));
        Assert.Contains("No metrics received", await GetHtmlAsync("/metrics"));
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    /// <summary>Every src= and &lt;link href=: the pages load nothing from another host (no CDN, the machine may be offline).</summary>
    private static List<string> ExternalLoads(string html) =>
        System.Text.RegularExpressions.Regex.Matches(html, @"<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)=""(?!data:|/)([^""]*)""")
            .Select(m => m.Groups[1].Value)
            .ToList();
}
