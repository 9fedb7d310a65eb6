using HrmsAttendance.AppHost.Tests.Support;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Identity.V1;
using Microsoft.Playwright;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// The web app in Debian's Chromium through the whole topology: a seeded user opens a page at the gateway, signs in at
/// identity (OpenID Connect), lands back on the page and sees their month; an employee opening an admin page gets the
/// 403 page. Screenshots land in the test output's artifacts/ folder (web-*.png).
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class WebBrowserTests(DistributedAppFixture fixture) : IAsyncLifetime
{
    private const string Password = "Passw0rd!";
    private readonly BrowserFixture _browser = new();
    private Uri _gateway = null!;

    public async Task InitializeAsync()
    {
        await _browser.InitializeAsync();
        await fixture.App.WaitHealthyAsync("web", TimeSpan.FromSeconds(120));
        await fixture.App.WaitHealthyAsync("identity", TimeSpan.FromSeconds(120));
        _gateway = fixture.App.GetEndpoint("gateway", "http");
    }

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    private async Task<IPage> SignedInAsync(string user, string path, int width = 1366, int height = 768, string password = Password)
    {
        var context = await _browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_gateway, path).ToString());
        // identity's sign-in page (organisation code, user name, password).
        await page.Locator("#tenant").FillAsync("demo");
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("form[action='/account/login'] [type=submit]").ClickAsync();
        try
        {
            await BackAtAsync(page, new Uri(_gateway, path));
        }
        catch (PlaywrightException)
        {
            await ScreenshotAsync(page, $"web-sign-in-failed-{user}.png");
            var text = await page.Locator("body").InnerTextAsync();
            Assert.Fail($"{user} did not get back to {path}: at {page.Url}: {text[..Math.Min(text.Length, 600)]}");
        }
        return page;
    }

    /// <summary>
    /// Until the page's address starts with <paramref name="target"/>: the address is polled, and the callers' assertions
    /// wait for the content they need. Waiting for the navigation instead (WaitForURLAsync) timed out in CI with the page
    /// already there and shown: once waiting for the document's load event, and again after the wait had been cut to the
    /// navigation's commit.
    /// </summary>
    private static Task BackAtAsync(IPage page, Uri target) =>
        Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(target.ToString())),
            new() { Timeout = 60_000 });

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsDirectory, name), FullPage = true });

    /// <summary>Until the page runs in the circuit (the layout says so): the prerendered page's controls do nothing.</summary>
    private static Task LiveAsync(IPage page) =>
        Assertions.Expect(page.Locator(".shell[data-interactive=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });

    /// <summary>
    /// A page of the web app as it is used: live, and done loading. (The circuit's first render reads the page's data
    /// again, with the loading indicator in place of the prerendered content: a screenshot taken on the prerendered
    /// content alone may catch the indicator.)
    /// </summary>
    private static async Task AppScreenshotAsync(IPage page, string name)
    {
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("loading")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await ScreenshotAsync(page, name);
    }

    [Fact]
    public async Task An_employee_signs_in_and_sees_their_month()
    {
        var page = await SignedInAsync("employee", "/my-month");

        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("Demo Employee", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("summary")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".calendar-day")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("problem")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("我的月度考勤");

        // Interactive through the gateway (blazor.web.js, the circuit's WebSocket): choosing a day shows it.
        await Assertions.Expect(page.Locator("link[href*='Microsoft.FluentUI.AspNetCore.Components.bundle.scp.css']")).ToHaveCountAsync(1);
        // (Clicked once the page is live: a click on the prerendered calendar does nothing.) The screenshot too: the
        // circuit's first render reads the month again, with the loading indicator in place of the prerendered calendar.
        await Assertions.Expect(page.GetByTestId("live")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("summary")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await AppScreenshotAsync(page, "web-my-month.png");
        await page.Locator(".calendar-day").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=day-detail] h2")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("-01$"), new() { Timeout = 30_000 });

        // The same page at phone width.
        await page.SetViewportSizeAsync(390, 844);
        await AppScreenshotAsync(page, "web-my-month-phone.png");
    }

    [Fact]
    public async Task An_employee_opening_an_admin_page_gets_the_403_page_and_nothing_of_it()
    {
        var page = await SignedInAsync("employee2", "/my-month");

        var response = await page.GotoAsync(new Uri(_gateway, "/admin/persons").ToString());

        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByTestId("forbidden")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("persons-table")).ToHaveCountAsync(0);
        await AppScreenshotAsync(page, "web-403.png");
    }

    [Fact]
    public async Task A_tenant_admin_sees_the_persons_and_everyones_results()
    {
        var page = await SignedInAsync("admin", "/admin/persons");

        await Assertions.Expect(page.GetByTestId("persons-table")).ToContainTextAsync("DEMO-1", new() { Timeout = 30_000 });
        await AppScreenshotAsync(page, "web-admin-persons.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "每日考勤结果" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("filters")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // The screenshot shows the results (or that there are none), not the loading indicator before them.
        await Assertions.Expect(page.Locator("[data-testid=results-table], [data-testid=empty-state]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("loading")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("problem")).ToHaveCountAsync(0);
        await AppScreenshotAsync(page, "web-admin-daily-results.png");
    }

    [Fact]
    public async Task A_tenant_admin_sees_the_users_links_integrations_and_audit_pages_with_their_content()
    {
        var page = await SignedInAsync("admin", "/admin/users");

        // The development users, with their roles.
        await Assertions.Expect(page.GetByTestId("users-table")).ToContainTextAsync("employee2", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("user-row")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("problem")).ToHaveCountAsync(0);
        // Live (its buttons are disabled on the prerendered page), so the screenshot shows the page as it is used.
        await Assertions.Expect(page.GetByTestId("create-user-button")).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await AppScreenshotAsync(page, "web-admin-users.png");

        await page.GotoAsync(new Uri(_gateway, "/admin/identity-links").ToString());
        await Assertions.Expect(page.GetByTestId("link-form")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("unlink-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("problem")).ToHaveCountAsync(0);
        await AppScreenshotAsync(page, "web-admin-identity-links.png");

        // Both platforms' status cards (the demo tenant has no integration in this topology: their state says so).
        await page.GotoAsync(new Uri(_gateway, "/admin/integrations").ToString());
        await Assertions.Expect(page.GetByTestId("dingtalk-state")).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("wecom-state")).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
        await AppScreenshotAsync(page, "web-admin-integrations.png");

        // The tenant's writes (at least the seed's users) in the audit log, newest first.
        await page.GotoAsync(new Uri(_gateway, "/admin/audit").ToString());
        await Assertions.Expect(page.GetByTestId("audit-row")).Not.ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("problem")).ToHaveCountAsync(0);
        await AppScreenshotAsync(page, "web-admin-audit.png");
    }

    [Fact]
    public async Task Signing_out_ends_the_session_at_the_web_app_and_at_identity()
    {
        var page = await SignedInAsync("approver", "/my-month");
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("Demo Approver", new() { Timeout = 30_000 });

        // A click while the prerendered page is being replaced by the interactive one can land on a removed button.
        await LiveAsync(page);
        await page.Locator("form[action='account/logout'] [type=submit]").ClickAsync();

        await Assertions.Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.StartsWith(_gateway.ToString(), page.Url, StringComparison.Ordinal);
        // Neither session is left: the month asks for the sign-in page again.
        await page.GotoAsync(new Uri(_gateway, "/my-month").ToString());
        await Assertions.Expect(page.Locator("#username")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task An_adjustment_requested_by_the_employee_and_approved_by_the_approver_changes_the_day()
    {
        // DEMO-2 (approver) approves DEMO-1 (employee): assigned by the tenant's admin.
        var demoTenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        using var channel = callers.Channel();
        var admin = TopologyCallers.Bearer(callers.Token(demoTenant, "tenant-admin"));
        var persons = (await new IdentityMapping.IdentityMappingClient(channel).ListPersonsAsync(new ListPersonsRequest { Search = "DEMO-" }, admin)).Persons;
        await new Adjustments.AdjustmentsClient(channel).AssignApproverAsync(new ApproverAssignment
        {
            ApproverPersonUuid = persons.Single(p => p.EmployeeNumber == "DEMO-2").PersonUuid,
            PersonUuid = persons.Single(p => p.EmployeeNumber == "DEMO-1").PersonUuid,
        }, admin);
        // The last weekday before today (Asia/Shanghai).
        var day = WorkCalendar.LocalDate(DateTimeOffset.UtcNow).AddDays(-1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(-1);
        var iso = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var employee = await SignedInAsync("employee", "/adjustments");
        // Filled only once the circuit runs (the button is disabled while the page is prerendered).
        await Assertions.Expect(employee.GetByTestId("request-form").Locator("[type=submit]")).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await employee.GetByTestId("request-date").FillAsync(iso);
        await employee.GetByTestId("request-time").FillAsync("09:00");
        await employee.GetByTestId("request-reason").FillAsync("忘记打卡 forgot to punch in");
        await employee.GetByTestId("request-form").Locator("[type=submit]").ClickAsync();
        await Assertions.Expect(employee.GetByTestId("request-sent")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(employee.GetByTestId("adjustment-status").First).ToHaveTextAsync("待审批");
        await AppScreenshotAsync(employee, "web-adjustment-requested.png");

        var approver = await SignedInAsync("approver", "/approvals");
        await Assertions.Expect(approver.GetByTestId("adjustment-row")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        // Filled only once the circuit runs (the buttons are disabled while the page is prerendered).
        await Assertions.Expect(approver.GetByTestId("approve")).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await approver.GetByTestId("comment").FillAsync("同意 ok");
        await approver.GetByTestId("approve").ClickAsync();
        await Assertions.Expect(approver.GetByTestId("decided")).ToContainTextAsync(iso, new() { Timeout = 30_000 });
        await AppScreenshotAsync(approver, "web-approvals.png");

        // The day has its result now, with the correction punch.
        await employee.GotoAsync(new Uri(_gateway, $"/my-month?month={iso[..7]}").ToString());
        var cell = employee.GetByTestId($"day-{iso}");
        await Assertions.Expect(cell).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("status-none"), new() { Timeout = 30_000 });
        // A day is chosen once the page is live (its change stream open); a click on the prerendered calendar does nothing.
        await Assertions.Expect(employee.GetByTestId("live")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await cell.ClickAsync();
        await Assertions.Expect(employee.GetByTestId("day-punches")).ToContainTextAsync("补卡");
        await AppScreenshotAsync(employee, "web-my-month-after-approval.png");
    }

    [Fact]
    public async Task A_tenant_admin_links_an_unmapped_id_to_a_person_in_one_flow()
    {
        var demoTenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        using var channel = callers.Channel();
        var admin = TopologyCallers.Bearer(callers.Token(demoTenant, "tenant-admin"));
        var identity = new IdentityMapping.IdentityMappingClient(channel);
        var unmapped = "web-unmapped-" + Guid.NewGuid().ToString("N")[..8];
        await identity.ResolveIdentitiesAsync(new ResolveIdentitiesRequest
        {
            Provider = IdentityProvider.Wecom, ExternalUserIds = { unmapped }, RecordUnmapped = true,
        }, admin);

        var page = await SignedInAsync("admin", "/admin/unmapped");
        var row = page.GetByTestId("unmapped-row").Filter(new() { HasText = unmapped });
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(row.GetByTestId("link-to-person")).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await row.GetByTestId("link-to-person").ClickAsync();
        await page.GetByTestId("link-search").FillAsync("DEMO-3");
        await page.GetByTestId("link-search-button").ClickAsync();
        await page.GetByTestId("link-candidate").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("link-done")).ToContainTextAsync(unmapped, new() { Timeout = 30_000 });
        await AppScreenshotAsync(page, "web-admin-unmapped-linked.png");

        var demo3 = (await identity.ListPersonsAsync(new ListPersonsRequest { Search = "DEMO-3" }, admin)).Persons.Single(p => p.EmployeeNumber == "DEMO-3");
        var resolved = await identity.ResolveIdentitiesAsync(new ResolveIdentitiesRequest { Provider = IdentityProvider.Wecom, ExternalUserIds = { unmapped } }, admin);
        Assert.Equal(demo3.PersonUuid, Assert.Single(resolved.Results).PersonUuid);
    }

    [Fact]
    public async Task A_user_changes_the_password_from_the_web_app_and_comes_back_signed_in()
    {
        // A user of its own: the Development users' passwords stay as documented for the other tests.
        var demoTenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        using var channel = callers.Channel();
        var name = "web-pw-" + Guid.NewGuid().ToString("N")[..8];
        await new HrmsAttendance.Contracts.Accounts.V1.Accounts.AccountsClient(channel).CreateUserAsync(new()
        {
            UserName = name, DisplayName = "改密测试 Password test", Password = "first-Passw0rd", Roles = { "approver" },
        }, TopologyCallers.Bearer(callers.Token(demoTenant, "tenant-admin")));

        var page = await SignedInAsync(name, "/my-month", password: "first-Passw0rd");
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("Password test", new() { Timeout = 30_000 });
        // The page offers a way back without a change. (The header's link is clicked once the page is live: a click while
        // the prerendered page is being replaced can land on a removed element, as for sign-out.)
        await LiveAsync(page);
        await page.GetByTestId("change-password").ClickAsync();
        await page.GetByTestId("back-to-app").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("Password test", new() { Timeout = 30_000 });
        await LiveAsync(page);
        await page.GetByTestId("change-password").ClickAsync();
        await page.Locator("#current").FillAsync("first-Passw0rd");
        await page.Locator("#new").FillAsync("second-Passw0rd");
        await page.Locator("#confirm").FillAsync("second-Passw0rd");
        await ScreenshotAsync(page, "web-change-password.png");
        await page.Locator("form[action='/account/password'] [type=submit]").ClickAsync();

        // Back in the web app, still signed in.
        await BackAtAsync(page, _gateway);
        await Assertions.Expect(page.GetByTestId("user-name")).ToContainTextAsync("Password test", new() { Timeout = 30_000 });
        // The new password is the one that signs in.
        var again = await SignedInAsync(name, "/my-month", password: "second-Passw0rd");
        await Assertions.Expect(again.GetByTestId("user-name")).ToContainTextAsync("Password test", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task A_tenant_admin_imports_a_csv_through_the_wizard()
    {
        var page = await SignedInAsync("admin", "/admin/imports");
        // DEMO-1's punches of a day no other test touches (local Asia/Shanghai times), with a fresh minute each run.
        var minute = Random.Shared.Next(10, 60);
        var csv = System.Text.Encoding.UTF8.GetBytes(
            $"employee_number,punch_time,punch_type\r\nDEMO-1,2026-11-02 08:{minute},IN\r\nDEMO-1,2026-11-02 18:{minute},OUT\r\n");
        // The file input works once the page is live (Blazor's InputFile); until then setting a file does nothing.
        for (var attempt = 1; ; attempt++)
        {
            await page.GetByTestId("import-file").SetInputFilesAsync(new FilePayload { Name = "web-import.csv", MimeType = "text/csv", Buffer = csv });
            try
            {
                await Assertions.Expect(page.GetByTestId("preview")).ToBeVisibleAsync(new() { Timeout = 20_000 });
                break;
            }
            catch (PlaywrightException) when (attempt < 3) { }
        }
        await Assertions.Expect(page.GetByTestId("rows-valid")).ToHaveTextAsync("2", new() { Timeout = 30_000 });
        await AppScreenshotAsync(page, "web-admin-import-preview.png");

        await page.GetByTestId("commit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("report")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("rows-accepted")).ToHaveTextAsync("2", new() { Timeout = 60_000 });
        await AppScreenshotAsync(page, "web-admin-import-report.png");
    }
}
