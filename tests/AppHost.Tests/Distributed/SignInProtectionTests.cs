using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Grpc.Core;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Contracts.Accounts.V1;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// Issue 14, the end of sign-in: lockout after wrong passwords (Identity:Lockout, 12 s in this topology), the
/// per-address limit of the sign-in forms, an admin's password reset and unlock, and the change of password the reset
/// requires. Each test has its own new user, so the Development users the other tests sign in with are never locked.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class SignInProtectionTests(DistributedAppFixture fixture)
{
    private const string Demo = "demo";
    private const string Failed = "ACCOUNTS_SIGN_IN_FAILED";
    private const string Locked = "ACCOUNTS_SIGN_IN_LOCKED";
    private const int MaxFailedAttempts = 5; // Identity:Lockout:MaxFailedAttempts, the default
    private static readonly Guid DemoTenant = IdentitySecrets.DemoTenant;

    private DistributedApplication App => fixture.App;

    [Fact]
    public async Task Five_wrong_passwords_in_a_row_lock_the_user_until_the_lock_ends_and_attempts_meanwhile_do_not_extend_it()
    {
        var (_, name, password) = await NewUserAsync();

        // Four wrong, then the right one: the count starts again, so four more wrong do not lock either.
        for (var i = 0; i < MaxFailedAttempts - 1; i++)
            Assert.Equal(Failed, (await AttemptAsync(name, "wrong-" + i)).Code);
        Assert.Null((await AttemptAsync(name, password)).Code);
        for (var i = 0; i < MaxFailedAttempts - 1; i++)
            Assert.Equal(Failed, (await AttemptAsync(name, "wrong-" + i)).Code);

        // The fifth in a row locks; the page says so in the form's language.
        var fifth = await AttemptAsync(name, "wrong-5", lang: "en");
        var lockedAt = Stopwatch.StartNew();
        Assert.Equal((HttpStatusCode.Unauthorized, Locked), (fifth.Status, fifth.Code));
        Assert.Contains("This account is locked for now", fifth.Html);
        var chinese = await AttemptAsync(name, password, lang: "zh-CN");
        Assert.Equal(Locked, chinese.Code);
        Assert.Contains("该账户因多次密码错误已被临时锁定", chinese.Html);
        Assert.False(chinese.SessionCookie, "no session while locked, even with the right password");

        // An attempt in the second half of the lock is refused, and does not push its end further.
        await WaitUntilAsync(lockedAt, DistributedAppFixture.IdentityLockoutDuration * 0.6);
        Assert.Equal(Locked, (await AttemptAsync(name, "wrong-6")).Code);
        Assert.Equal(Locked, (await AttemptAsync(name, password)).Code);

        await WaitUntilAsync(lockedAt, DistributedAppFixture.IdentityLockoutDuration + TimeSpan.FromSeconds(2));
        var after = await AttemptAsync(name, password);
        Assert.Equal((HttpStatusCode.Redirect, (string?)null), (after.Status, after.Code));
        Assert.True(after.SessionCookie);
    }

    [Fact]
    public async Task An_unknown_name_is_answered_exactly_like_a_real_user_with_wrong_passwords_locks_included()
    {
        var (_, real, _) = await NewUserAsync();
        var unknown = "nobody-" + Guid.NewGuid().ToString("N")[..12];

        var realCodes = new List<string?>();
        var unknownCodes = new List<string?>();
        for (var i = 0; i <= MaxFailedAttempts; i++)
        {
            realCodes.Add((await AttemptAsync(real, "wrong-" + i)).Code);
            var answer = await AttemptAsync(unknown, "wrong-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            unknownCodes.Add(answer.Code);
        }

        Assert.Equal([Failed, Failed, Failed, Failed, Locked, Locked], realCodes);
        Assert.Equal(realCodes, unknownCodes);
    }

    [Fact]
    public async Task Reset_gives_a_temporary_password_that_only_leads_to_choosing_a_new_one_and_the_history_says_who()
    {
        var callers = new TopologyCallers(App, fixture.DataDirectory);
        var adminSubject = "admin-" + Guid.NewGuid().ToString("N")[..8];
        var admin = TopologyCallers.Bearer(callers.Token(DemoTenant, AccessRoles.TenantAdmin, subject: adminSubject));
        var (user, name, original) = await NewUserAsync();
        using var channel = App.CreateGrpcChannel("gateway");
        var accounts = new Accounts.AccountsClient(channel);

        // Locked by wrong passwords, then unlocked by the admin: the original password works again.
        for (var i = 0; i < MaxFailedAttempts; i++)
            await AttemptAsync(name, "wrong-" + i);
        var locked = (await accounts.ListUsersAsync(new ListUsersRequest { PageSize = 500 }, admin)).Users.Single(u => u.UserId == user.UserId);
        Assert.NotNull(locked.LockedUntil);
        var unlocked = await accounts.UnlockUserAsync(new UnlockUserRequest { UserId = user.UserId }, admin);
        Assert.Null(unlocked.LockedUntil);
        Assert.Null((await AttemptAsync(name, original)).Code);

        // Bad requests change nothing.
        foreach (var (request, code) in new[]
                 {
                     (new ResetPasswordRequest { UserId = "not-a-uuid" }, "ACCOUNTS_INVALID_ARGUMENT"),
                     (new ResetPasswordRequest { UserId = Guid.NewGuid().ToString("D") }, "ACCOUNTS_USER_NOT_FOUND"),
                 })
            Assert.StartsWith(code, (await Assert.ThrowsAsync<RpcException>(() => accounts.ResetPasswordAsync(request, admin).ResponseAsync)).Status.Detail);

        // Locked again; the reset ends the lock too.
        for (var i = 0; i < MaxFailedAttempts; i++)
            await AttemptAsync(name, "wrong-" + i);
        var first = await accounts.ResetPasswordAsync(new ResetPasswordRequest { UserId = user.UserId }, admin);
        Assert.True(first.User.MustChangePassword);
        Assert.Null(first.User.LockedUntil);
        // Random each time; the second reset replaces the first one's password.
        var temporary = (await accounts.ResetPasswordAsync(new ResetPasswordRequest { UserId = user.UserId }, admin)).TemporaryPassword;
        Assert.Matches("^[a-km-zA-HJ-NP-Z2-9]{4}(-[a-km-zA-HJ-NP-Z2-9]{4}){3}$", temporary);
        Assert.NotEqual(first.TemporaryPassword, temporary);
        Assert.Equal(Failed, (await AttemptAsync(name, first.TemporaryPassword)).Code);
        Assert.Equal(Failed, (await AttemptAsync(name, original)).Code);

        // The temporary password signs in to the change-password page, and no code is issued until a new one is chosen.
        using var flow = new OidcFlow(App);
        var verifier = OidcFlow.Base64Url(RandomNumberGenerator.GetBytes(32));
        var state = OidcFlow.Base64Url(RandomNumberGenerator.GetBytes(16));
        using var submitted = await flow.SubmitLoginAsync(await flow.StartAsync(verifier, state), Demo, name, temporary);
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        var toChange = submitted.Headers.Location!.OriginalString;
        Assert.StartsWith("/account/password?", toChange);
        var authorize = OidcFlow.ParseQuery(toChange[toChange.IndexOf('?')..])["ReturnUrl"];
        Assert.StartsWith("/connect/authorize?", authorize);
        using (var noCode = await flow.Client.GetAsync(authorize))
        {
            Assert.Equal(HttpStatusCode.Redirect, noCode.StatusCode);
            Assert.StartsWith("/account/password?", noCode.Headers.Location!.OriginalString);
        }
        using var pageResponse = await flow.Client.GetAsync(toChange);
        var page = await pageResponse.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"must-change-password\"", page);

        var chosen = "chosen-" + Guid.NewGuid().ToString("N")[..10];
        foreach (var (current, next, confirmation, code) in new[]
                 {
                     (temporary, temporary, temporary, "ACCOUNTS_PASSWORD_UNCHANGED"),
                     (temporary, "short", "short", "ACCOUNTS_PASSWORD_INVALID"),
                     (temporary, chosen, chosen + "x", "ACCOUNTS_PASSWORD_MISMATCH"),
                     ("wrong-" + temporary, chosen, chosen, "ACCOUNTS_PASSWORD_CURRENT_WRONG"),
                 })
        {
            using var refused = await flow.SubmitPasswordChangeAsync(page, current, next, confirmation);
            page = await refused.Content.ReadAsStringAsync();
            Assert.Equal(code, OidcFlow.ErrorCode(page));
            Assert.DoesNotContain(temporary, page);
        }
        Assert.Equal(Failed, (await AttemptAsync(name, chosen)).Code); // none of the refusals changed it

        using var changed = await flow.SubmitPasswordChangeAsync(page, temporary, chosen, chosen);
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(authorize, changed.Headers.Location!.OriginalString);
        using var authorized = await flow.Client.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, authorized.StatusCode);
        var authorizationCode = OidcFlow.ParseQuery(authorized.Headers.Location!.Query)["code"];
        var tokens = await flow.RedeemAsync(authorizationCode, verifier);
        Assert.Equal(user.UserId, OidcFlow.Decode(tokens.GetProperty("access_token").GetString()!).Payload.GetProperty("sub").GetString());

        // Afterwards: the temporary and the original passwords are refused, the new one signs in all the way.
        Assert.Equal(Failed, (await AttemptAsync(name, temporary)).Code);
        Assert.Equal(Failed, (await AttemptAsync(name, original)).Code);
        using (var again = new OidcFlow(App))
            await again.SignInAsync(Demo, name, chosen);

        // Each change in the user's history and the tenant's audit log, with who made it.
        var history = await accounts.ListUserChangesAsync(new ListUserChangesRequest { UserId = user.UserId }, admin);
        Assert.Equal(
            [("locked", "system:sign-in"), ("unlocked", adminSubject), ("locked", "system:sign-in"), ("password_reset", adminSubject),
             ("password_reset", adminSubject), ("password_changed", user.UserId)],
            history.Changes.Skip(1).Select(c => (c.Action, c.ChangedBy)));
        Assert.Equal("created", history.Changes[0].Action);
        Assert.All(history.Changes, change => Assert.DoesNotContain(temporary, change.DetailsJson));
        var audit = await new HrmsAttendance.Contracts.Audit.V1.AuditLog.AuditLogClient(channel).ListAuditEntriesAsync(
            new() { Action = "user.", ObjectId = user.UserId, PageSize = 50 }, admin);
        Assert.Equal(["user.created", "user.locked", "user.locked", "user.password_changed", "user.password_reset", "user.password_reset",
                "user.unlocked"],
            audit.Entries.Select(e => e.Action).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Employees_and_approvers_may_not_reset_or_unlock_and_the_service_refuses_them_too()
    {
        var callers = new TopologyCallers(App, fixture.DataDirectory);
        var (user, name, password) = await NewUserAsync();
        using var gateway = App.CreateGrpcChannel("gateway");
        using var direct = App.CreateGrpcChannel("identity");
        foreach (var role in new[] { AccessRoles.Employee, AccessRoles.Approver })
        {
            var caller = TopologyCallers.Bearer(callers.Token(DemoTenant, role, person: Guid.NewGuid()));
            var denied = await Assert.ThrowsAsync<RpcException>(() => new Accounts.AccountsClient(gateway)
                .ResetPasswordAsync(new ResetPasswordRequest { UserId = user.UserId }, caller).ResponseAsync);
            Assert.Equal((StatusCode.PermissionDenied, "GATEWAY_FORBIDDEN"), (denied.StatusCode, denied.Status.Detail.Split(':')[0]));
            var unlockDenied = await Assert.ThrowsAsync<RpcException>(() => new Accounts.AccountsClient(gateway)
                .UnlockUserAsync(new UnlockUserRequest { UserId = user.UserId }, caller).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, unlockDenied.StatusCode);
            // identity's own port checks the role again.
            var refused = await Assert.ThrowsAsync<RpcException>(() => new Accounts.AccountsClient(direct)
                .ResetPasswordAsync(new ResetPasswordRequest { UserId = user.UserId }, caller).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
            Assert.StartsWith("ACCOUNTS_FORBIDDEN", refused.Status.Detail);
        }
        // Nothing changed: the password still signs in, and no reset is in the history.
        Assert.Null((await AttemptAsync(name, password)).Code);
        var history = await new Accounts.AccountsClient(gateway).ListUserChangesAsync(new ListUserChangesRequest { UserId = user.UserId },
            TopologyCallers.Bearer(callers.Token(DemoTenant, AccessRoles.TenantAdmin)));
        Assert.Equal(["created"], history.Changes.Select(c => c.Action));
    }

    [Fact]
    public async Task One_address_posting_the_sign_in_form_too_often_is_told_to_wait()
    {
        // Posts without a form (refused after the limiter) until the window's permits are spent.
        using var flow = new OidcFlow(App);
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 3 * DistributedAppFixture.IdentitySignInPermitLimit && limited is null; i++)
        {
            var response = await flow.Client.PostAsync("/account/login", new FormUrlEncodedContent([]));
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else response.Dispose();
        }
        Assert.NotNull(limited);
        using (limited)
        {
            Assert.Contains("ACCOUNTS_SIGN_IN_RATE_LIMITED", await limited.Content.ReadAsStringAsync());
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), DistributedAppFixture.IdentitySignInWindow);
            // The page itself (a GET) is not limited; the window is waited out so the other tests sign in as usual.
            using (var page = await flow.Client.GetAsync("/account/login"))
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            await Task.Delay(retryAfter.Value + TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Changing_the_password_ends_the_users_other_sessions_and_refresh_tokens_and_returns_to_the_web_app()
    {
        var (_, name, original) = await NewUserAsync();
        using var here = new OidcFlow(App);
        using var elsewhere = new OidcFlow(App);
        var hereTokens = await here.SignInAsync(Demo, name, original);
        var elsewhereTokens = await elsewhere.SignInAsync(Demo, name, original);
        // Before the change the other browser's refresh token works (and may be replaced by a new one).
        string elsewhereRefresh;
        using (var refreshed = await elsewhere.RefreshAsync(elsewhereTokens.GetProperty("refresh_token").GetString()!))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            elsewhereRefresh = System.Text.Json.JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync())
                .RootElement.GetProperty("refresh_token").GetString()!;
        }

        // The web app's "change password" link: identity's page, which returns to the web app; another site is never kept.
        var webApp = here.Gateway.AbsoluteUri;
        using (var foreign = await here.Client.GetAsync("/account/password?ReturnUrl=" + Uri.EscapeDataString("https://example.org/")))
            Assert.Contains("name=\"returnUrl\" value=\"/\"", await foreign.Content.ReadAsStringAsync());
        using var pageResponse = await here.Client.GetAsync("/account/password?ReturnUrl=" + Uri.EscapeDataString(webApp));
        Assert.Equal(HttpStatusCode.OK, pageResponse.StatusCode);
        var page = await pageResponse.Content.ReadAsStringAsync();
        var chosen = "chosen-" + Guid.NewGuid().ToString("N")[..10];
        using var changed = await here.SubmitPasswordChangeAsync(page, original, chosen, chosen);
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(webApp, changed.Headers.Location!.AbsoluteUri);

        // Every refresh token issued before the change is refused, this browser's too.
        foreach (var refreshToken in new[] { hereTokens.GetProperty("refresh_token").GetString()!, elsewhereRefresh })
        {
            using var refused = await here.RefreshAsync(refreshToken);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("invalid_grant", (await OidcFlow.ErrorOfAsync(refused)).Error);
        }
        // The other browser's session is over (authorize sends it to the login form); this one's goes on with the new stamp.
        using (var other = await elsewhere.AuthorizeAsync(OidcFlow.Base64Url(RandomNumberGenerator.GetBytes(32)), "s"))
            Assert.StartsWith("/account/login?", other.Headers.Location!.PathAndQuery);
        var verifier = OidcFlow.Base64Url(RandomNumberGenerator.GetBytes(32));
        using var mine = await here.AuthorizeAsync(verifier, "s");
        Assert.StartsWith(here.RedirectUri + "?", mine.Headers.Location!.AbsoluteUri);
        var renewed = await here.RedeemAsync(OidcFlow.ParseQuery(mine.Headers.Location!.Query)["code"], verifier);
        using (var refreshed = await here.RefreshAsync(renewed.GetProperty("refresh_token").GetString()!))
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        // The stamp stays in codes and refresh tokens: never in an access token.
        Assert.False(OidcFlow.Decode(renewed.GetProperty("access_token").GetString()!).Payload.TryGetProperty("security_stamp", out _));
    }

    [Fact]
    public async Task A_temporary_password_past_its_lifetime_signs_in_to_nothing_until_the_admin_resets_again()
    {
        var callers = new TopologyCallers(App, fixture.DataDirectory);
        var admin = TopologyCallers.Bearer(callers.Token(DemoTenant, AccessRoles.TenantAdmin));
        var (user, name, _) = await NewUserAsync();
        using var channel = App.CreateGrpcChannel("gateway");
        var accounts = new Accounts.AccountsClient(channel);

        var temporary = (await accounts.ResetPasswordAsync(new ResetPasswordRequest { UserId = user.UserId }, admin)).TemporaryPassword;
        var fresh = await AttemptAsync(name, temporary);
        Assert.Equal((HttpStatusCode.Redirect, (string?)null), (fresh.Status, fresh.Code));

        await AgeTemporaryPasswordAsync(Guid.Parse(user.UserId));
        foreach (var lang in new[] { "zh-CN", "en" })
        {
            var expired = await AttemptAsync(name, temporary, lang);
            Assert.Equal((HttpStatusCode.Unauthorized, "ACCOUNTS_TEMPORARY_PASSWORD_EXPIRED"), (expired.Status, expired.Code));
            Assert.False(expired.SessionCookie);
            Assert.Contains(lang == "en" ? "ask your administrator" : "请联系管理员", expired.Html);
        }
        // A wrong password is still just wrong: only the right temporary password learns that it expired.
        Assert.Equal(Failed, (await AttemptAsync(name, "wrong-" + temporary)).Code);

        var again = (await accounts.ResetPasswordAsync(new ResetPasswordRequest { UserId = user.UserId }, admin)).TemporaryPassword;
        var renewed = await AttemptAsync(name, again);
        Assert.Equal((HttpStatusCode.Redirect, (string?)null), (renewed.Status, renewed.Code));
    }

    /// <summary>Moves the user's temporary-password expiry into the past, as the clock would (the database's superuser).</summary>
    private async Task AgeTemporaryPasswordAsync(Guid userId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await App.GetConnectionStringAsync("attendance"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var scope = new Npgsql.NpgsqlCommand(
                         "SELECT set_config('app.current_tenant', $1, true), set_config('app.current_principal', 'test:clock', true)",
                         connection, transaction) { Parameters = { new() { Value = DemoTenant.ToString("D") } } })
            await scope.ExecuteNonQueryAsync();
        await using var age = new Npgsql.NpgsqlCommand(
            "UPDATE identity.users SET temporary_password_expires_at = now() - interval '1 minute' WHERE user_id = $1 AND must_change_password",
            connection, transaction) { Parameters = { new() { Value = userId } } };
        Assert.Equal(1, await age.ExecuteNonQueryAsync());
        await transaction.CommitAsync();
    }

    private sealed record Attempt(HttpStatusCode Status, string? Code, string Html, bool SessionCookie);

    /// <summary>One sign-in at the login form, from a new browser; a success is the redirect back (no code redeemed).</summary>
    private async Task<Attempt> AttemptAsync(string userName, string password, string? lang = null)
    {
        using var flow = new OidcFlow(App);
        var page = await flow.StartAsync(OidcFlow.Base64Url(RandomNumberGenerator.GetBytes(32)), "s");
        if (lang is not null)
            page = page.Replace("name=\"lang\" value=\"zh-CN\"", $"name=\"lang\" value=\"{lang}\"", StringComparison.Ordinal)
                       .Replace("name=\"lang\" value=\"en\"", $"name=\"lang\" value=\"{lang}\"", StringComparison.Ordinal);
        using var response = await flow.SubmitLoginAsync(page, Demo, userName, password);
        var html = await response.Content.ReadAsStringAsync();
        var session = response.Headers.TryGetValues("Set-Cookie", out var cookies) &&
                      cookies.Any(c => c.StartsWith("hrms.identity.session=", StringComparison.Ordinal));
        return new Attempt(response.StatusCode, OidcFlow.ErrorCode(html), html, session);
    }

    /// <summary>A new user of the demo tenant (created by an admin through the gateway), once the Development seed has run.</summary>
    private async Task<(User User, string Name, string Password)> NewUserAsync()
    {
        var callers = new TopologyCallers(App, fixture.DataDirectory);
        using var channel = App.CreateGrpcChannel("gateway");
        var accounts = new Accounts.AccountsClient(channel);
        var name = "lock-" + Guid.NewGuid().ToString("N")[..12];
        var password = "first-" + Guid.NewGuid().ToString("N")[..10];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var user = await accounts.CreateUserAsync(new CreateUserRequest
                {
                    UserName = name, DisplayName = "锁定测试 Lockout test", Password = password, Roles = { AccessRoles.Approver },
                }, TopologyCallers.Bearer(callers.Token(DemoTenant, AccessRoles.TenantAdmin)));
                return (user, name, password);
            }
            // The demo tenant enters identity's directory with the Development seed, shortly after identity starts.
            catch (RpcException e) when (e.Status.Detail.StartsWith("ACCOUNTS_TENANT_UNKNOWN", StringComparison.Ordinal) && attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }

    private static async Task WaitUntilAsync(Stopwatch since, TimeSpan elapsed)
    {
        var left = elapsed - since.Elapsed;
        if (left > TimeSpan.Zero) await Task.Delay(left);
    }
}
