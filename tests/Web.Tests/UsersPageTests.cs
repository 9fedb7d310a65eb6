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
        page.WaitForElement("[data-testid=edit-role-employee]").Change(false);
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

    [Fact]
    public void Reset_password_asks_first_then_shows_the_temporary_password_once_with_the_copy_hint()
    {
        SignIn("tenant-admin", personId: null);
        var user = new User { UserId = Guid.NewGuid().ToString(), UserName = "li.lei", DisplayName = "李雷", Active = true, Roles = { "employee" } };
        Gateway.Accounts.Users.Add(user);
        var page = Render<Users>();
        page.WaitForElement("[data-testid=user-row]");
        Assert.Empty(page.FindAll("[data-testid=temporary-password]"));

        // The first click only asks; cancelling resets nothing.
        // (Each click's render is waited for: the renderer may still be finishing the load's render when it comes.)
        page.Find("[data-testid=reset-password]").Click();
        page.WaitForAssertion(() => Assert.Contains("li.lei", page.Find("[data-testid=confirm-reset-question]").TextContent));
        page.Find("[data-testid=cancel-reset-password]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=confirm-reset-question]")));
        Assert.Empty(Gateway.Accounts.Resets);

        page.Find("[data-testid=reset-password]").Click();
        page.WaitForElement("[data-testid=confirm-reset-password]").Click();
        page.WaitForAssertion(() => Assert.Equal("Abcd-Efgh-Jkmn-Pqrs", page.Find("[data-testid=temporary-password]").TextContent));
        Assert.Equal([user.UserId], Gateway.Accounts.Resets);
        Assert.Contains("li.lei", page.Find("[data-testid=temporary-password-panel] h2").TextContent);
        Assert.Contains("shown only this once", page.Find("[data-testid=temporary-password-hint]").TextContent);
        Assert.Contains("must change password", page.Find("[data-testid=user-status]").TextContent);

        // Hidden, it is gone from the page for good (the API never returns it again).
        page.Find("[data-testid=hide-temporary-password]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=temporary-password]")));
        Assert.DoesNotContain("Abcd-Efgh-Jkmn-Pqrs", page.Markup);
    }

    [Fact]
    public void A_refused_reset_shows_its_code_and_no_password()
    {
        SignIn("tenant-admin", personId: null);
        Gateway.Accounts.Users.Add(new User { UserId = Guid.NewGuid().ToString(), UserName = "li.lei", DisplayName = "李雷", Active = true, Roles = { "employee" } });
        Gateway.Accounts.Refuse = FakeGateway.Refusal(StatusCode.FailedPrecondition, "ACCOUNTS_USER_INACTIVE", "deactivated");
        var page = Render<Users>();
        page.WaitForElement("[data-testid=user-row]");

        page.Find("[data-testid=reset-password]").Click();
        page.WaitForElement("[data-testid=confirm-reset-password]").Click();

        page.WaitForAssertion(() => Assert.Equal("ACCOUNTS_USER_INACTIVE", page.Find("[data-testid=problem-code]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=temporary-password]"));
        Assert.Empty(Gateway.Accounts.Resets);
    }

    [Fact]
    public void A_locked_user_shows_until_when_and_is_unlocked_with_one_click()
    {
        SignIn("tenant-admin", personId: null);
        Gateway.Accounts.Users.Add(new User
        {
            UserId = Guid.NewGuid().ToString(), UserName = "li.lei", DisplayName = "李雷", Active = true, Roles = { "employee" },
            LockedUntil = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(15)),
        });
        Gateway.Accounts.Users.Add(new User { UserId = Guid.NewGuid().ToString(), UserName = "han.meimei", DisplayName = "韩梅梅", Active = true, Roles = { "employee" } });
        var page = Render<Users>();
        page.WaitForElement("[data-testid=user-row]");
        Assert.Single(page.FindAll("[data-testid=user-locked]"));
        var unlock = Assert.Single(page.FindAll("[data-testid=unlock-user]"));

        unlock.Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=user-locked]")));
        Assert.Empty(page.FindAll("[data-testid=unlock-user]"));
        Assert.Null(Gateway.Accounts.Users[0].LockedUntil);
        Assert.Contains("li.lei is unlocked", page.Find("[data-testid=users-done]").TextContent);
    }
}

/// <summary>Before the circuit is live, the page's buttons do nothing: they are rendered disabled.</summary>
public sealed class UsersPageBeforeInteractiveTests : WebTestContext
{
    protected override bool Interactive => false;

    [Fact]
    public void The_reset_button_is_disabled_until_the_page_is_interactive()
    {
        SignIn("tenant-admin", personId: null);
        Gateway.Accounts.Users.Add(new User { UserId = Guid.NewGuid().ToString(), UserName = "li.lei", DisplayName = "李雷", Active = true, Roles = { "employee" } });
        var page = Render<Users>();
        page.WaitForElement("[data-testid=user-row]");
        Assert.True(page.Find("[data-testid=reset-password]").HasAttribute("disabled"));
    }
}
