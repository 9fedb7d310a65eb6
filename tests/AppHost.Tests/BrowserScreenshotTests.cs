using Google.Protobuf;
using HrmsAttendance.AppHost.Dashboard;
using HrmsAttendance.AppHost.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HrmsAttendance.AppHost.Tests;

/// <summary>
/// The pages in a real browser (Debian's Chromium, headless, driven by Playwright for .NET):
/// content visible, live refresh working, no script blocked by the CSP, screenshots saved under
/// the test output's artifacts/ folder.
/// </summary>
public sealed class BrowserScreenshotTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private TestDashboard _test = null!;
    private IBrowserContext _context = null!;
    private readonly List<string> _consoleErrors = [];

    public async Task InitializeAsync()
    {
        _test = await TestDashboard.StartAsync();
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _test.DisposeAsync();
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await _context.NewPageAsync();
        page.Console += (_, message) => { if (message.Type == "error") _consoleErrors.Add($"{message.Text} ({message.Location})"); };
        page.PageError += (_, error) => _consoleErrors.Add(error);
        await page.GotoAsync(new Uri(_test.Dashboard.Url, path).ToString());
        return page;
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(BrowserFixture.ArtifactsDirectory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        Console.WriteLine($"screenshot: {path}");
    }

    /// <summary>A script blocked by the CSP, a failed fetch or a missing asset shows up here.</summary>
    private void AssertNoBrowserErrors() => Assert.True(_consoleErrors.Count == 0, string.Join("\n", _consoleErrors));

    [Fact]
    public async Task Resources_page_shows_the_topology_and_follows_state_changes()
    {
        SampleTopology.AddResources(_test.Resources);
        var page = await OpenAsync("/");

        var ledgerRow = page.Locator("tr[data-resource='punch-ledger']");
        await Expect(ledgerRow).ToBeVisibleAsync();
        await Expect(ledgerRow.Locator(".badge").First).ToHaveTextAsync("Running");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(7);
        await ScreenshotAsync(page, "resources.png");

        // The launcher restarts the ledger: the page follows without a reload (1.5 s polling).
        _test.Resources.Set(new ResourceSnapshot("punch-ledger", "project", "Restarting", "Unhealthy", ["http://127.0.0.1:5101"], null, 1, null));
        await Expect(ledgerRow.Locator(".badge").First).ToHaveTextAsync("Restarting", new() { Timeout = 5_000 });
        AssertNoBrowserErrors();
    }

    [Fact]
    public async Task Trace_page_draws_the_waterfall_and_opens_span_details()
    {
        SampleTopology.AddResources(_test.Resources);
        var punch = await PostPunchAsync();
        var page = await OpenAsync($"/traces/{punch.TraceId}");

        var bars = page.Locator(".wf-bar");
        await Expect(bars).ToHaveCountAsync(10);
        foreach (var bar in await bars.AllAsync())
        {
            var box = await bar.BoundingBoxAsync();
            Assert.True(box is { Width: > 1, Height: > 5 }, "every bar is drawn");
        }
        var rootBox = (await bars.First.BoundingBoxAsync())!;
        var dbBox = (await page.Locator(".wf-row", new() { HasText = "INSERT INTO punches" }).Locator(".wf-bar").BoundingBoxAsync())!;
        Assert.True(dbBox.X > rootBox.X && dbBox.Width < rootBox.Width, "a child bar starts later and is shorter than the root");
        await Expect(page.Locator(".wf-row.error .span-name")).ToHaveTextAsync("punches.recorded process");

        // Open the failing span: its status and attributes show.
        await page.Locator(".wf-row.error > summary").ClickAsync();
        var details = page.Locator(".wf-row.error .wf-details");
        await Expect(details).ToBeVisibleAsync();
        await Expect(details).ToContainTextAsync("SMTP server did not answer within 20 s");
        await Expect(details).ToContainTextAsync("System.TimeoutException");
        await Expect(page.Locator("table.logs tbody tr")).ToHaveCountAsync(4); // "Logs in this trace"
        await ScreenshotAsync(page, "trace-waterfall.png");

        var list = await OpenAsync("/traces");
        await Expect(list.Locator($"tr[data-trace-id='{punch.TraceId}']")).ToBeVisibleAsync();
        await ScreenshotAsync(list, "traces.png");
        await list.Locator($"tr[data-trace-id='{punch.TraceId}'] td").First.ClickAsync();
        await list.WaitForURLAsync($"**/traces/{punch.TraceId}");
        AssertNoBrowserErrors();
    }

    [Fact]
    public async Task Structured_logs_page_shows_levels_and_links_to_traces()
    {
        var punch = await PostPunchAsync();
        var page = await OpenAsync("/structured");

        await Expect(page.Locator("table.logs tbody tr")).ToHaveCountAsync(5);
        await Expect(page.Locator("tr.log-err")).ToContainTextAsync("SMTP server did not answer");
        await Expect(page.Locator("tr.log-warn .badge")).ToHaveTextAsync("Warning");
        await ScreenshotAsync(page, "structured-logs.png");

        await page.Locator("tr.log-err a").ClickAsync();
        await page.WaitForURLAsync($"**/traces/{punch.TraceId}");
        AssertNoBrowserErrors();
    }

    private async Task<OtlpTraceBuilder> PostPunchAsync()
    {
        var punch = SampleTopology.PunchTrace();
        using (var traces = await _test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(punch.Build().ToByteArray())))
            traces.EnsureSuccessStatusCode();
        using (var logs = await _test.Http.PostAsync("/v1/logs", OtlpTraceBuilder.Protobuf(SampleTopology.PunchLogs(punch.TraceId, punch.Start).ToByteArray())))
            logs.EnsureSuccessStatusCode();
        return punch;
    }

    [Fact]
    public async Task Console_logs_page_shows_stderr_distinctly_and_filters_as_you_type()
    {
        SampleTopology.AddResources(_test.Resources);
        var page = await OpenAsync("/logs/punch-ledger");

        await Expect(page.Locator(".console .line")).ToHaveCountAsync(7);
        await Expect(page.Locator(".console .line.stderr")).ToHaveCountAsync(2);
        var stderrColour = await page.Locator(".console .line.stderr .text").First.EvaluateAsync<string>("e => getComputedStyle(e).color");
        var stdoutColour = await page.Locator(".console .line.stdout .text").First.EvaluateAsync<string>("e => getComputedStyle(e).color");
        Assert.NotEqual(stdoutColour, stderrColour);
        await ScreenshotAsync(page, "console-logs.png");

        _test.Resources.Log("punch-ledger", "stdout", "info: PunchLedger.RecordPunch[0] Punch recorded for employee E-7777 (tenant acme) in 7 ms");
        await Expect(page.Locator(".console")).ToContainTextAsync("E-7777", new() { Timeout = 5_000 });

        await page.Locator("input[type=search]").FillAsync("globex");
        await Expect(page.Locator(".console .line")).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        await Expect(page.Locator(".console mark")).ToHaveTextAsync("globex");
        Assert.Contains("search=globex", page.Url);
        AssertNoBrowserErrors();
    }
}
