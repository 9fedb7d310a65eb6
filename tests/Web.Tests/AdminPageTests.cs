using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Web.Components.Pages.Admin;
using Microsoft.AspNetCore.Components.Forms;

namespace HrmsAttendance.Web.Tests;

public sealed class AdminPageTests : WebTestContext
{
    // In a running circuit: the buttons that change something are disabled while a page is only prerendered.
    protected override bool Interactive => true;

    private static Person Person(string number, string name) =>
        new() { PersonUuid = Guid.NewGuid().ToString(), EmployeeNumber = number, DisplayName = name, Active = true };

    [Fact]
    public void Persons_are_created_and_a_taken_employee_number_is_shown_with_its_code()
    {
        SignIn("tenant-admin");
        var page = Render<Persons>();
        page.WaitForElement("[data-testid=empty-state]");

        page.Find("[data-testid=new-employee-number]").Change("E042");
        page.Find("[data-testid=new-display-name]").Change("王小明");
        page.Find("[data-testid=create-form]").Submit();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=person-row]")));
        Assert.Contains("E042", page.Find("[data-testid=persons-table]").TextContent);
        Assert.Equal("E042", Assert.Single(Gateway.Identity.Persons).EmployeeNumber);

        Gateway.Identity.RefuseCreate = FakeGateway.Refusal(StatusCode.AlreadyExists, "IDENTITY_EMPLOYEE_NUMBER_TAKEN", "E042 is taken");
        page.Find("[data-testid=new-employee-number]").Change("E042");
        page.Find("[data-testid=new-display-name]").Change("Someone else");
        page.Find("[data-testid=create-form]").Submit();

        page.WaitForAssertion(() => Assert.Equal("IDENTITY_EMPLOYEE_NUMBER_TAKEN", page.Find("[data-testid=problem-code]").TextContent));
        Assert.Contains("Another person already has this employee number", page.Find("[data-testid=problem]").TextContent);
        Assert.Single(page.FindAll("[data-testid=person-row]"));
    }

    [Fact]
    public void Deactivating_a_person_sets_only_the_active_flag()
    {
        SignIn("tenant-admin");
        Gateway.Identity.Persons.Add(Person("E001", "Li Lei"));
        var page = Render<Persons>();
        page.WaitForElement("[data-testid=deactivate]");

        page.Find("[data-testid=deactivate]").Click();

        page.WaitForAssertion(() => Assert.Contains("Inactive", page.Find("[data-testid=person-row]").TextContent));
        Assert.False(Gateway.Identity.Persons[0].Active);
        Assert.Equal("Li Lei", Gateway.Identity.Persons[0].DisplayName);
        Assert.Empty(page.FindAll("[data-testid=deactivate]"));
    }

    [Fact]
    public void An_unmapped_id_is_linked_to_the_person_chosen_and_leaves_the_queue()
    {
        SignIn("tenant-admin");
        var lilei = Person("E001", "Li Lei");
        Gateway.Identity.Persons.AddRange([lilei, Person("E002", "Han Meimei")]);
        Gateway.Identity.Unmapped.Add(new UnmappedIdentity { Provider = IdentityProvider.Dingtalk, ExternalUserId = "ding-007", ParkedPunchCount = 3 });
        var page = Render<Unmapped>();
        page.WaitForElement("[data-testid=link-to-person]");

        page.Find("[data-testid=link-to-person]").Click();
        page.WaitForElement("[data-testid=link-search]").Change("E001"); // FluentButton's click handler completes asynchronously
        page.Find("[data-testid=link-search-form]").Submit(); // what the submit button does in a browser
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=link-candidate]")));
        page.Find("[data-testid=link-candidate]").Click();

        page.WaitForAssertion(() => Assert.Contains("ding-007", page.Find("[data-testid=link-done]").TextContent));
        var link = Assert.Single(Gateway.Identity.Links);
        Assert.Equal((IdentityProvider.Dingtalk, "ding-007", lilei.PersonUuid), (link.Provider, link.ExternalUserId, link.PersonUuid));
        Assert.Contains("No unmapped ids", page.Find("[data-testid=empty-state]").TextContent);
    }

    [Fact]
    public void A_conflicting_link_is_shown_with_its_code_and_the_id_stays_queued()
    {
        SignIn("tenant-admin");
        Gateway.Identity.Persons.Add(Person("E001", "Li Lei"));
        Gateway.Identity.Unmapped.Add(new UnmappedIdentity { Provider = IdentityProvider.Wecom, ExternalUserId = "wecom-9" });
        Gateway.Identity.RefuseLink = FakeGateway.Refusal(StatusCode.AlreadyExists, "IDENTITY_LINK_EXISTS", "wecom-9 is linked to another person");
        var page = Render<Unmapped>();
        page.WaitForElement("[data-testid=link-to-person]");

        page.Find("[data-testid=link-to-person]").Click();
        page.WaitForElement("[data-testid=link-search-form]").Submit(); // what the submit button does in a browser
        page.WaitForElement("[data-testid=link-candidate]").Click();

        page.WaitForAssertion(() => Assert.Equal("IDENTITY_LINK_EXISTS", page.Find("[data-testid=problem-code]").TextContent));
        Assert.Contains("already linked to another person", page.Find("[data-testid=problem]").TextContent);
        Assert.Single(page.FindAll("[data-testid=unmapped-row]"));
    }

    [Fact]
    public void Everyones_results_are_filtered_by_status_and_a_too_long_range_asks_nothing()
    {
        SignIn("tenant-admin");
        var lilei = Person("E001", "Li Lei");
        var han = Person("E002", "Han Meimei");
        Gateway.Identity.Persons.AddRange([lilei, han]);
        Gateway.Results.Stored.Add(new DailyResult { PersonUuid = lilei.PersonUuid, WorkDate = "2026-03-16", Status = DailyStatus.Present });
        Gateway.Results.Stored.Add(new DailyResult { PersonUuid = han.PersonUuid, WorkDate = "2026-03-17", Status = DailyStatus.Exception, Flags = { DailyFlag.Late } });
        var page = Render<TenantResults>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=result-row]").Count));

        page.Find("[data-testid=status]").Change(DailyStatus.Exception.ToString());
        page.Find("[data-testid=filters]").Submit();

        page.WaitForAssertion(() => Assert.Contains("Han Meimei", Assert.Single(page.FindAll("[data-testid=result-row]")).TextContent));
        Assert.Contains("status=Exception", page.Find("[data-testid=csv]").GetAttribute("href"));

        var asked = Gateway.Results.ListRequests.Count;
        page.Find("[data-testid=from]").Change("2026-01-01");
        page.Find("[data-testid=filters]").Submit();
        page.WaitForElement("[data-testid=range-problem]");
        Assert.Equal(asked, Gateway.Results.ListRequests.Count);
    }

    [Fact]
    public void The_import_wizard_uploads_previews_row_errors_commits_and_reports()
    {
        SignIn("tenant-admin");
        ImportWizard.PollInterval = TimeSpan.FromMilliseconds(10);
        var page = Render<ImportWizard>();
        const string csv = "employee_number,punch_time,punch_type\nE001,2026-03-02 09:00,IN\n";

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(csv, "march.csv"));

        page.WaitForElement("[data-testid=preview]");
        Assert.Equal(csv, System.Text.Encoding.UTF8.GetString(Gateway.Imports.Uploaded));
        Assert.Equal("csv", Gateway.Imports.UploadedFormat);
        Assert.Contains("IMPORT_ROW_BAD_TIME", page.Find("[data-testid=errors-by-code]").TextContent);
        Assert.Contains("The time cannot be read", page.Find("[data-testid=preview-rows]").TextContent);
        Assert.Equal("2", page.Find("[data-testid=rows-valid]").TextContent);

        page.Find("[data-testid=commit-form]").Submit();

        page.WaitForElement("[data-testid=report]");
        Assert.Equal("commit-token-1", Gateway.Imports.Committed!.CommitToken);
        Assert.Equal("COMMITTED", page.Find("[data-testid=import-status]").TextContent);
        Assert.Equal("2", page.Find("[data-testid=rows-accepted]").TextContent);
        Assert.Contains("admin/imports/report?import_id=", page.Find("[data-testid=report-link]").GetAttribute("href"));
    }

    [Fact]
    public void Integrations_show_each_platforms_status_or_its_own_refusal()
    {
        SignIn("tenant-admin");

        var page = Render<Integrations>();

        page.WaitForAssertion(() => Assert.Equal("CONNECTED", page.Find("[data-testid=dingtalk-state]").TextContent));
        Assert.Contains("42", page.Find("[data-testid=dingtalk]").TextContent);
        Assert.Equal("GATEWAY_UPSTREAM_UNAVAILABLE", page.Find("[data-testid=wecom] [data-testid=problem-code]").TextContent);
    }
}

/// <summary>Before the circuit is live, the persons page's buttons do nothing: they are rendered disabled.</summary>
public sealed class PersonsPageBeforeInteractiveTests : WebTestContext
{
    protected override bool Interactive => false;

    [Fact]
    public void The_deactivate_button_is_disabled_until_the_page_is_interactive()
    {
        SignIn("tenant-admin");
        Gateway.Identity.Persons.Add(new Person { PersonUuid = Guid.NewGuid().ToString(), EmployeeNumber = "E001", DisplayName = "Li Lei", Active = true });
        var page = Render<Persons>();
        page.WaitForElement("[data-testid=deactivate]");
        Assert.True(page.Find("[data-testid=deactivate]").HasAttribute("disabled"));
        Assert.True(page.Find("[data-testid=create-button]").HasAttribute("disabled"));
    }
}
