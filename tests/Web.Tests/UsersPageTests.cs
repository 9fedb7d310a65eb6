using Grpc.Core;
using HrmsAttendance.Contracts.Accounts.V1;
using HrmsAttendance.Web.Components.Pages.Admin;

namespace HrmsAttendance.Web.Tests;

/// <summary>The tenant-admin's users and roles page over identity's Accounts API.</summary>
public sealed class UsersPageTests : WebTestContext
{
    protected override bool Interactive => true;

    [Fact]
    public void A_user_is_created_with_the_roles_ticked_then_given_other_roles_and_deactivated()
    {
        SignIn("tenant-admin", personId: null);
        var page = Render<Users>();
        page.WaitForElement("[data-testid=empty-state]");

        page.Find("[data-testid=new-user-name]").Change("li.lei");
        page.Find("[data-testid=new-user-display-name]").Change("李雷");
        page.Find("[data-testid=new-user-password]").Change("correct horse");
        page.Find("[data-testid=new-role-approver]").Change(true);
        page.Find("[data-testid=create-user-form]").Submit();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=user-row]")));
        var created = Assert.Single(Gateway.Accounts.Users);
        Assert.Equal(("li.lei", "李雷"), (created.UserName, created.DisplayName));
        Assert.Equal(["employee", "approver"], created.Roles);

        page.Find("[data-testid=edit-roles]").Click();
        page.Find("[data-testid=edit-role-employee]").Change(false);
        page.Find("[data-testid=edit-role-tenant-admin]").Change(true);
        page.Find("[data-testid=save-roles]").Click();
        page.WaitForElement("[data-testid=deactivate-user]");
        Assert.Contains("Approver, Tenant admin", page.Find("[data-testid=user-row]").TextContent);
        Assert.Equal(["approver", "tenant-admin"], Gateway.Accounts.Users[0].Roles);

        page.Find("[data-testid=deactivate-user]").Click();
        page.WaitForAssertion(() => Assert.Contains("Inactive", page.Find("[data-testid=user-row]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=deactivate-user]"));
    }

    [Fact]
    public void A_taken_user_name_shows_its_code_and_adds_nobody()
    {
        SignIn("tenant-admin", personId: null);
        Gateway.Accounts.Refuse = FakeGateway.Refusal(StatusCode.AlreadyExists, "ACCOUNTS_USER_NAME_TAKEN", "li.lei is taken");
        var page = Render<Users>();
        page.WaitForElement("[data-testid=empty-state]");

        page.Find("[data-testid=new-user-name]").Change("li.lei");
        page.Find("[data-testid=new-user-display-name]").Change("李雷");
        page.Find("[data-testid=new-user-password]").Change("correct horse");
        page.Find("[data-testid=create-user-form]").Submit();

        page.WaitForAssertion(() => Assert.Equal("ACCOUNTS_USER_NAME_TAKEN", page.Find("[data-testid=problem-code]").TextContent));
        Assert.Empty(Gateway.Accounts.Users);
    }
}
