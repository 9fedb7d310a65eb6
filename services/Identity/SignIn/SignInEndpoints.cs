using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using HrmsAttendance.Contracts;
using HrmsAttendance.Identity.Data;
using HrmsAttendance.Tokens;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>
/// The browser's side of sign-in: the login form (a session cookie of this service), and the OpenID Connect endpoints
/// OpenIddict passes through to us once it has validated the request (client, redirect URI, PKCE, scopes):
/// authorize (a code for the signed-in user; implicit consent, the clients are our own), token (authorization code,
/// refresh token, client credentials for one tenant or, for a service client, the tenant the request names: the claims
/// built afresh from the database) and end-session.
/// </summary>
public static class SignInEndpoints
{
    /// <summary>The login session of this service (not a token): a cookie for the identity host only.</summary>
    public const string SessionScheme = "identity-session";
    public const string LoginPath = "/account/login";
    /// <summary>The change-password page: required after an admin's reset, open to every signed-in user.</summary>
    public const string PasswordPath = "/account/password";
    /// <summary>The sign-in form's refusal: the same for an unknown tenant, an unknown user, a wrong password or an inactive user.</summary>
    public const string SignInFailed = "ACCOUNTS_SIGN_IN_FAILED";
    public const string SignInIncomplete = "ACCOUNTS_SIGN_IN_INCOMPLETE";
    /// <summary>Too many wrong passwords in a row (<see cref="LockoutSettings"/>): refused whatever the password, until the lock ends.</summary>
    public const string SignInLocked = "ACCOUNTS_SIGN_IN_LOCKED";
    /// <summary>The right temporary password, after <see cref="TemporaryPasswordSettings"/>' lifetime: the admin resets again.</summary>
    public const string TemporaryPasswordExpired = "ACCOUNTS_TEMPORARY_PASSWORD_EXPIRED";
    // The change-password form's refusals (nothing is changed by any of them).
    public const string PasswordIncomplete = "ACCOUNTS_PASSWORD_INCOMPLETE";
    public const string PasswordCurrentWrong = "ACCOUNTS_PASSWORD_CURRENT_WRONG";
    public const string PasswordInvalid = "ACCOUNTS_PASSWORD_INVALID";
    public const string PasswordMismatch = "ACCOUNTS_PASSWORD_MISMATCH";
    public const string PasswordUnchanged = "ACCOUNTS_PASSWORD_UNCHANGED";
    /// <summary>The token request parameter by which a service client names the tenant it wants a token for.</summary>
    public const string TenantParameter = AccessTokenClaimNames.Tenant;

    public static void AddLoginSession(this AuthenticationBuilder authentication) =>
        authentication.AddCookie(SessionScheme, options =>
        {
            options.Cookie.Name = "hrms.identity.session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.LoginPath = LoginPath;
            options.ReturnUrlParameter = "ReturnUrl";
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
        });

    public static void MapSignInEndpoints(this WebApplication app)
    {
        app.MapGet(LoginPath, ShowLogin).AllowAnonymous();
        app.MapPost(LoginPath, SubmitLoginAsync).AllowAnonymous().RequireRateLimiting(SignInRateLimitSettings.PolicyName);
        app.MapGet(PasswordPath, ShowPasswordAsync).AllowAnonymous();
        app.MapPost(PasswordPath, SubmitPasswordAsync).AllowAnonymous().RequireRateLimiting(SignInRateLimitSettings.PolicyName);
        app.MapMethods("/connect/authorize", ["GET", "POST"], AuthorizeAsync).AllowAnonymous().DisableAntiforgery();
        app.MapPost("/connect/token", TokenAsync).AllowAnonymous().DisableAntiforgery();
        app.MapMethods("/connect/logout", ["GET", "POST"], (Delegate)LogoutAsync).AllowAnonymous().DisableAntiforgery();
    }

    private static IResult ShowLogin(HttpContext context, IAntiforgery antiforgery, [FromQuery(Name = "ReturnUrl")] string? returnUrl,
        [FromQuery] string? lang)
    {
        var texts = LoginTexts.For(lang, returnUrl, context.Request.Headers.AcceptLanguage);
        return LoginPageResult(context, antiforgery, texts, new LoginFormState(SafeReturnUrl(returnUrl)), StatusCodes.Status200OK);
    }

    /// <summary>The form's fields (antiforgery is checked before this runs).</summary>
    public sealed record LoginForm(string? Tenant, string? UserName, string? Password, string? ReturnUrl, string? Lang);

    private static async Task<IResult> SubmitLoginAsync(HttpContext context, IAntiforgery antiforgery, UserStore users, Passwords passwords,
        LockoutSettings lockout, UnknownUserLockout unknownUsers, [FromForm] LoginForm form, CancellationToken ct)
    {
        var returnUrl = SafeReturnUrl(form.ReturnUrl);
        var texts = LoginTexts.For(form.Lang, returnUrl, context.Request.Headers.AcceptLanguage);
        var tenantCode = (form.Tenant ?? "").Trim().ToLowerInvariant();
        var userName = (form.UserName ?? "").Trim().ToLowerInvariant();
        var password = form.Password ?? "";
        var state = new LoginFormState(returnUrl, tenantCode, userName);
        if (tenantCode.Length is 0 or > 63 || userName.Length is 0 or > 100 || password.Length is 0 or > 128)
            return LoginPageResult(context, antiforgery, texts, state with { ErrorCode = SignInIncomplete, Error = texts.Missing }, StatusCodes.Status400BadRequest);

        var tenant = await users.FindTenantByCodeAsync(tenantCode, ct);
        var user = tenant is null ? null : await users.FindByUserNameAsync(tenant.TenantId, userName, ct);
        // The password is checked whoever asks (the same work for a name that is no user), before the lock is looked at.
        var passwordMatches = passwords.Verify(user, password);
        var now = DateTimeOffset.UtcNow;
        IResult Locked(DateTimeOffset until) => LoginPageResult(context, antiforgery, texts,
            state with { ErrorCode = SignInLocked, Error = texts.LockedFor(until - now) }, StatusCodes.Status401Unauthorized);
        IResult Failed()
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("HrmsAttendance.Identity.SignIn")
                .LogInformation("Sign-in refused for tenant code {TenantCode}", tenantCode);
            return LoginPageResult(context, antiforgery, texts, state with { ErrorCode = SignInFailed, Error = texts.Failed }, StatusCodes.Status401Unauthorized);
        }

        // The same answers, after the same work, whichever part was wrong: an unknown code or name, or an inactive user,
        // is refused and locked like a wrong password of a real user, so the page tells nothing about who exists.
        if (tenant is null || user is not { Active: true })
            return unknownUsers.RecordFailure(tenantCode, userName) is { } decoyLock ? Locked(decoyLock) : Failed();
        switch (await PasswordVerdictAsync(users, lockout, user, passwordMatches, ct))
        {
            case { LockedUntil: { } lockedUntil }: return Locked(lockedUntil);
            case { Right: false }: return Failed();
        }
        if (user is { MustChangePassword: true, TemporaryPasswordExpired: true })
            return LoginPageResult(context, antiforgery, texts,
                state with { ErrorCode = TemporaryPasswordExpired, Error = texts.TemporaryExpired }, StatusCodes.Status401Unauthorized);

        await users.RecordSuccessfulSignInAsync(user.TenantId, user.UserId, ct);
        await StartSessionAsync(context, user);
        // A temporary password opens the change-password page and nothing else (authorize sends the user there too).
        return Results.Redirect(user.MustChangePassword ? PasswordPageUrl(returnUrl, form.Lang) : returnUrl);
    }

    /// <summary>What a password typed by an active user means: right, wrong, or refused by a lock (<see cref="LockedUntil"/>).</summary>
    private readonly record struct PasswordVerdict(bool Right, DateTimeOffset? LockedUntil);

    /// <summary>
    /// The one lockout rule of both forms: a lock holds whatever the password (attempts during it are neither counted nor
    /// extend it); a wrong password is counted and may start a lock; a right one is right. The password is checked by the
    /// caller before this, whoever asks (the same work either way).
    /// </summary>
    private static async Task<PasswordVerdict> PasswordVerdictAsync(UserStore users, LockoutSettings lockout, UserRecord user,
        bool passwordMatches, CancellationToken ct)
    {
        if (user.LockedUntil is { } lockedUntil) return new(false, lockedUntil);
        if (passwordMatches) return new(true, null);
        var counted = await users.RecordFailedSignInAsync(user.TenantId, user.UserId, lockout.MaxFailedAttempts, lockout.Duration, ct);
        return new(false, counted?.LockedUntil);
    }

    /// <summary>The identity session cookie: who, and the stamp that a change of password replaces (ending this session).</summary>
    private static Task StartSessionAsync(HttpContext context, UserRecord user)
    {
        var session = new ClaimsIdentity(SessionScheme, Claims.Subject, null);
        session.AddClaim(new Claim(Claims.Subject, user.UserId.ToString("D")));
        session.AddClaim(new Claim(AccessTokenClaimNames.Tenant, user.TenantId.ToString("D")));
        session.AddClaim(new Claim(TokenClaims.SecurityStamp, user.SecurityStamp.ToString("D")));
        return context.SignInAsync(SessionScheme, new ClaimsPrincipal(session));
    }

    private static string PasswordPageUrl(string returnUrl, string? lang) =>
        QueryHelpers.AddQueryString(PasswordPath, new Dictionary<string, string?>
        {
            ["ReturnUrl"] = returnUrl,
            ["lang"] = lang is "en" or "zh-CN" ? lang : null,
        });

    private static async Task<IResult> ShowPasswordAsync(HttpContext context, IAntiforgery antiforgery, UserStore users,
        [FromQuery(Name = "ReturnUrl")] string? returnUrl, [FromQuery] string? lang, CancellationToken ct)
    {
        var safeReturnUrl = PasswordReturnUrl(context, returnUrl);
        var session = await context.AuthenticateAsync(SessionScheme);
        if ((session.Succeeded ? await SessionUserAsync(session.Principal, users, ct) : null) is not { } signedIn)
            return Results.Challenge(new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + context.Request.QueryString },
                [SessionScheme]);
        var texts = PasswordTexts.For(lang, safeReturnUrl, context.Request.Headers.AcceptLanguage);
        return PasswordPageResult(context, antiforgery, texts,
            new PasswordFormState(safeReturnUrl, signedIn.User.UserName, signedIn.User.MustChangePassword), StatusCodes.Status200OK);
    }

    /// <summary>The change-password form's fields (antiforgery is checked before this runs).</summary>
    public sealed record PasswordForm(string? CurrentPassword, string? NewPassword, string? ConfirmPassword, string? ReturnUrl, string? Lang);

    private static async Task<IResult> SubmitPasswordAsync(HttpContext context, IAntiforgery antiforgery, UserStore users, Passwords passwords,
        LockoutSettings lockout, [FromForm] PasswordForm form, CancellationToken ct)
    {
        var returnUrl = PasswordReturnUrl(context, form.ReturnUrl);
        var session = await context.AuthenticateAsync(SessionScheme);
        if ((session.Succeeded ? await SessionUserAsync(session.Principal, users, ct) : null) is not { User: var user })
            return Results.Challenge(new AuthenticationProperties { RedirectUri = PasswordPageUrl(returnUrl, form.Lang) }, [SessionScheme]);

        var texts = PasswordTexts.For(form.Lang, returnUrl, context.Request.Headers.AcceptLanguage);
        var state = new PasswordFormState(returnUrl, user.UserName, user.MustChangePassword);
        IResult Refuse(string code, string message, int status) =>
            PasswordPageResult(context, antiforgery, texts, state with { ErrorCode = code, Error = message }, status);
        var (current, chosen, confirmation) = (form.CurrentPassword ?? "", form.NewPassword ?? "", form.ConfirmPassword ?? "");
        if (current.Length is 0 or > 128 || chosen.Length == 0 || confirmation.Length == 0)
            return Refuse(PasswordIncomplete, texts.Missing, StatusCodes.Status400BadRequest);

        // The current password first, counted like a sign-in (a session left open is no way to guess it).
        switch (await PasswordVerdictAsync(users, lockout, user, passwords.Verify(user, current), ct))
        {
            case { LockedUntil: { } lockedUntil }:
                var loginTexts = LoginTexts.For(form.Lang, returnUrl, context.Request.Headers.AcceptLanguage);
                return Refuse(SignInLocked, loginTexts.LockedFor(lockedUntil - DateTimeOffset.UtcNow), StatusCodes.Status401Unauthorized);
            case { Right: false }:
                return Refuse(PasswordCurrentWrong, texts.CurrentWrong, StatusCodes.Status401Unauthorized);
        }
        if (user is { MustChangePassword: true, TemporaryPasswordExpired: true })
            return Refuse(TemporaryPasswordExpired,
                LoginTexts.For(form.Lang, returnUrl, context.Request.Headers.AcceptLanguage).TemporaryExpired, StatusCodes.Status401Unauthorized);
        if (Passwords.Problem(chosen) is not null)
            return Refuse(PasswordInvalid, texts.Invalid, StatusCodes.Status400BadRequest);
        if (!string.Equals(chosen, confirmation, StringComparison.Ordinal))
            return Refuse(PasswordMismatch, texts.Mismatch, StatusCodes.Status400BadRequest);
        // The current one (the temporary password, after a reset) is not a new password.
        if (passwords.Verify(user, chosen))
            return Refuse(PasswordUnchanged, texts.Unchanged, StatusCodes.Status400BadRequest);

        if (await users.ChangePasswordAsync(user.TenantId, user.UserId, passwords.Hash(chosen), ct) is not { } changed)
            return Results.Challenge(new AuthenticationProperties { RedirectUri = LoginPath }, [SessionScheme]);
        // The new stamp ends every other session and refresh token of the user; this browser's session goes on with it.
        await StartSessionAsync(context, changed);
        // Back to where the user was going (the authorization request, after a reset); else the page says it is done.
        return returnUrl != "/"
            ? Results.Redirect(returnUrl)
            : PasswordPageResult(context, antiforgery, texts, state with { MustChange = false, Changed = true }, StatusCodes.Status200OK);
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, UserStore users, CancellationToken ct)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var session = await context.AuthenticateAsync(SessionScheme);
        var current = session.Succeeded ? await SessionUserAsync(session.Principal, users, ct) : null;
        if (current is not { } signedIn || request.HasPromptValue(PromptValues.Login) && !IsFresh(session))
        {
            if (request.HasPromptValue(PromptValues.None))
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            // Back to this same request once the form has signed the user in.
            var here = context.Request.PathBase + context.Request.Path + QueryOf(request);
            return Results.Challenge(new AuthenticationProperties { RedirectUri = here }, [SessionScheme]);
        }

        // No code while the password is an admin's temporary one: the user chooses a new one first, then comes back here.
        if (signedIn.User.MustChangePassword)
        {
            if (request.HasPromptValue(PromptValues.None))
                return Forbid(Errors.InteractionRequired, "The user must change the password first.");
            return Results.Redirect(PasswordPageUrl(context.Request.PathBase + context.Request.Path + QueryOf(request), null));
        }

        var identity = TokenClaims.ForUser(signedIn.User, signedIn.Tenant, request.GetScopes());
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(HttpContext context, UserStore users,
        IOpenIddictApplicationManager applications, CancellationToken ct)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The code or refresh token OpenIddict validated; the user is read again, so a deactivation or a role change holds.
            var granted = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            if (await SessionUserAsync(granted, users, ct) is not { User.MustChangePassword: false } current)
                return Forbid(Errors.InvalidGrant, "The user may no longer sign in.");
            var identity = TokenClaims.ForUser(current.User, current.Tenant, granted!.GetScopes());
            return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsClientCredentialsGrantType())
            return await ClientCredentialsAsync(request, users, applications, ct);

        return Forbid(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    /// <summary>
    /// Client credentials (OpenIddict has checked the client's secret): an integration client acts for its one tenant,
    /// and a <c>tenant_id</c> it sends must be that one; a service client acts for the tenant its request names in
    /// <c>tenant_id</c>, which must be in the directory. Either way <c>sub</c> = <c>service:&lt;client id&gt;</c>, role integration.
    /// </summary>
    private static async Task<IResult> ClientCredentialsAsync(OpenIddictRequest request, UserStore users,
        IOpenIddictApplicationManager applications, CancellationToken ct)
    {
        var application = await applications.FindByClientIdAsync(request.ClientId!, ct)
            ?? throw new InvalidOperationException("The client was authenticated but cannot be found.");
        var properties = await applications.GetPropertiesAsync(application, ct);
        var named = request.GetParameter(TenantParameter);

        Guid tenant;
        if (properties.TryGetValue(ClientRegistration.TenantProperty, out var own) &&
            own.ValueKind == JsonValueKind.String && Guid.TryParseExact(own.GetString(), "D", out var ownTenant))
        {
            // Whether the other tenant exists is not this client's business: the same refusal either way.
            if (named is { } parameter && TenantOf(parameter) != ownTenant)
                return Forbid(Errors.InvalidTarget, "This client acts for its own tenant only; tenant_id names another.");
            tenant = ownTenant;
        }
        else if (properties.TryGetValue(ClientRegistration.AnyTenantProperty, out var any) && any.ValueKind == JsonValueKind.True)
        {
            if (named is not { } parameter || OpenIddictParameter.IsNullOrEmpty(parameter))
                return Forbid(Errors.InvalidRequest, "The tenant_id parameter is required: a service client names the tenant each token is for.");
            if (TenantOf(parameter) is not { } requested)
                return Forbid(Errors.InvalidRequest, "The tenant_id parameter must be one canonical UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
            if (await users.FindTenantAsync(requested, ct) is null)
                return Forbid(Errors.InvalidTarget, $"The tenant {requested:D} named by tenant_id is not in the directory.");
            tenant = requested;
        }
        else
            return Forbid(Errors.UnauthorizedClient, "This client acts for no tenant.");

        var name = await applications.GetDisplayNameAsync(application, ct) ?? request.ClientId!;
        var identity = TokenClaims.ForClient(request.ClientId!, name, tenant, request.GetScopes());
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The tenant a <c>tenant_id</c> parameter names: exactly one canonical, non-nil UUID, or null.</summary>
    private static Guid? TenantOf(OpenIddictParameter parameter) =>
        parameter.GetRawValue() is string text && WireValues.TryParseCanonicalUuid(text, out var tenant) && tenant != Guid.Empty ? tenant : null;

    private static async Task<IResult> LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync(SessionScheme);
        // OpenIddict redirects to the client's registered post_logout_redirect_uri when the request names one.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = LoginPath }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private sealed record SignedInUser(UserRecord User, TenantRecord Tenant);

    /// <summary>
    /// The active user a session (or a code / refresh token) names, or null — also when it was issued before the user's
    /// password last changed (another security stamp).
    /// </summary>
    private static async Task<SignedInUser?> SessionUserAsync(ClaimsPrincipal? principal, UserStore users, CancellationToken ct)
    {
        if (!Guid.TryParseExact(principal?.GetClaim(AccessTokenClaimNames.Tenant), "D", out var tenantId) ||
            !Guid.TryParseExact(principal?.GetClaim(Claims.Subject), "D", out var userId) ||
            !Guid.TryParseExact(principal?.GetClaim(TokenClaims.SecurityStamp), "D", out var stamp))
            return null;
        var user = await users.FindAsync(tenantId, userId, ct) is { } found && found.SecurityStamp == stamp ? found : null;
        var tenant = user is { Active: true } ? await users.FindTenantAsync(tenantId, ct) : null;
        return user is not null && tenant is not null ? new SignedInUser(user, tenant) : null;
    }

    /// <summary>prompt=login: a session younger than a minute counts as the fresh sign-in it asks for.</summary>
    private static bool IsFresh(AuthenticateResult session) =>
        session.Properties?.IssuedUtc is { } issued && DateTimeOffset.UtcNow - issued < TimeSpan.FromMinutes(1);

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>The request's parameters as a query string (a POSTed authorization request comes back as a GET).</summary>
    private static QueryString QueryOf(OpenIddictRequest request) =>
        QueryString.Create(request.GetParameters()
            .Where(parameter => parameter.Key != Parameters.Prompt || parameter.Value.ToString() != PromptValues.Login)
            .Select(parameter => KeyValuePair.Create(parameter.Key, (string?)parameter.Value.ToString())));

    /// <summary>
    /// Where the change-password page returns to: a path on this host, or a page of the web client (an absolute http(s)
    /// URL on the origin of one of its redirect URIs: the app's "change password" link). Never another site.
    /// </summary>
    private static string PasswordReturnUrl(HttpContext context, string? returnUrl)
    {
        if (Uri.TryCreate(returnUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            var settings = context.RequestServices.GetRequiredService<IdentityServerSettings>();
            var origin = absolute.GetLeftPart(UriPartial.Authority);
            return settings.WebClient.RedirectUris.Any(uri => string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase))
                ? absolute.AbsoluteUri
                : "/";
        }
        return SafeReturnUrl(returnUrl);
    }

    /// <summary>Only a path on this host (never another site): the authorization endpoint, or the login page itself.</summary>
    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url[0] == '/' && url[1] is not ('/' or '\\') && !url.Contains("://", StringComparison.Ordinal)
            ? url
            : "/";

    private static IResult LoginPageResult(HttpContext context, IAntiforgery antiforgery, LoginTexts texts, LoginFormState state, int status) =>
        Page(context, antiforgery, (field, token) => LoginPage.Render(texts, state, field, token), status);

    private static IResult PasswordPageResult(HttpContext context, IAntiforgery antiforgery, PasswordTexts texts, PasswordFormState state, int status) =>
        Page(context, antiforgery, (field, token) => PasswordPage.Render(texts, state, field, token), status);

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, Func<string, string, string> render, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Frame-Options"] = "DENY";
        // form-action also governs the redirects after the form is sent: sign-in ends at the web client's /signin-oidc,
        // on another origin (the gateway), which Chromium blocks unless it is named here.
        var settings = context.RequestServices.GetRequiredService<IdentityServerSettings>();
        var clientOrigins = string.Join(' ', settings.WebClient.RedirectUris.Select(uri => uri.GetLeftPart(UriPartial.Authority)).Distinct());
        context.Response.Headers["Content-Security-Policy"] =
            $"default-src 'none'; style-src 'unsafe-inline'; form-action 'self' {clientOrigins}; frame-ancestors 'none'";
        return Results.Content(render(tokens.FormFieldName, tokens.RequestToken ?? ""),
            "text/html; charset=utf-8", statusCode: status);
    }
}
