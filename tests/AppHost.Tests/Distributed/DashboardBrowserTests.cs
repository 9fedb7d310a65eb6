using System.Diagnostics;
using System.Text.RegularExpressions;
using HrmsAttendance.AppHost.Tests.Support;
using HrmsAttendance.Tokens;
using Microsoft.Playwright;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// What an SRE sees: the Aspire dashboard in Debian's Chromium, signed in with the login URL's token, lists every
/// resource Running, and shows the trace of one punch through the gateway with the gateway's, punch-ledger's and
/// Npgsql's spans. Screenshots land in the test output's artifacts/ folder.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class DashboardBrowserTests(DistributedAppFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private IPage _page = null!;
    private readonly BrowserFixture _browser = new();

    public async Task InitializeAsync()
    {
        await _browser.InitializeAsync();
        _context = await _browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        _page = await _context.NewPageAsync();
        await _page.GotoAsync(new Uri(fixture.DashboardUrl, $"login?t={fixture.BrowserToken}").ToString());
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _browser.DisposeAsync();
    }

    [Fact]
    public async Task The_resources_page_lists_every_resource_Running()
    {
        await _page.GotoAsync(fixture.DashboardUrl.ToString());
        await Assertions.Expect(Row("gateway")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "dashboard-resources.png"), FullPage = true });

        // One grid row per resource, named "<type>: <name>", whose state cell says Running.
        foreach (var resource in DistributedAppFixture.HealthyResources)
            await Assertions.Expect(Row(resource).GetByRole(AriaRole.Gridcell, new() { Name = "Running", Exact = true })).ToBeVisibleAsync();
        // The migrations ran once and exited (exit code 0, or the services would not have started).
        await Assertions.Expect(Row("migrations")).ToContainTextAsync("Finished");
    }

    private ILocator Row(string resource) =>
        _page.GetByRole(AriaRole.Row).Filter(new()
        {
            Has = _page.GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex($"^\\w+: {Regex.Escape(resource)}$") }),
        });

    [Fact]
    public async Task The_trace_of_a_punch_shows_the_gateway_punch_ledger_and_Npgsql_spans()
    {
        var gateway = new TopologyCallers(fixture.App, fixture.DataDirectory);
        await fixture.App.WaitHealthyAsync("gateway", TimeSpan.FromSeconds(60));
        var traceId = ActivityTraceId.CreateRandom();
        using (var channel = gateway.Channel())
        {
            var tenant = Guid.NewGuid();
            var person = await gateway.NewPersonAsync(channel, tenant);
            await new PunchLedgerClient(channel).SubmitPunchAsync(
                Punches.In(person, new DateTimeOffset(2026, 3, 5, 9, 0, 0, Punches.Shanghai)),
                TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.TenantAdmin),
                    ("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01")));
        }
        await fixture.Telemetry.WaitForTraceAsync(traceId.ToHexString(),
            t => t.Any(s => s.Service == "gateway") && t.Any(s => s.Service == "punch-ledger") && t.Any(s => s.Scope == "Npgsql"),
            TimeSpan.FromSeconds(30));

        await _page.GotoAsync(new Uri(fixture.DashboardUrl, $"traces/detail/{traceId.ToHexString()}").ToString());
        await Assertions.Expect(_page.GetByText("punch-ledger").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await _page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, "dashboard-trace.png"), FullPage = true });

        var text = await _page.InnerTextAsync("body");
        Assert.Contains("gateway", text);
        Assert.Contains("punch-ledger", text);
        Assert.Contains("SubmitPunch", text);
        Assert.Contains("attendance", text); // the Npgsql span names the database
    }
}
