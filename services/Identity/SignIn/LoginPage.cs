using System.Net;
using Microsoft.AspNetCore.WebUtilities;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>The sign-in page's two languages: Chinese (the default) and English.</summary>
public sealed record LoginTexts(
    string Lang, string Title, string Subtitle, string Tenant, string TenantHint, string UserName, string Password, string Submit,
    string Failed, string Missing, string OtherLanguage, string OtherLanguageCode, string Footer, string Locked, string TemporaryExpired)
{
    public static readonly LoginTexts Chinese = new("zh-CN", "登录", "HRMS 考勤", "组织代码", "例如 demo", "用户名", "密码", "登录",
        "组织代码、用户名或密码不正确。", "请填写组织代码、用户名和密码。", "English", "en", "登录后将返回您正在使用的应用。",
        "该账户因多次密码错误已被临时锁定，请在 {0} 分钟后重试，或请管理员重置密码。",
        "该临时密码已过期，请联系管理员重新重置密码。");

    public static readonly LoginTexts English = new("en", "Sign in", "HRMS Attendance", "Organisation code", "e.g. demo", "User name",
        "Password", "Sign in", "The organisation code, user name or password is not right.", "Enter the organisation code, user name and password.",
        "中文", "zh-CN", "After signing in you return to the app you came from.",
        "This account is locked for now after too many wrong passwords: try again in {0} minutes, or ask your administrator to reset the password.",
        "This temporary password has expired: ask your administrator to reset the password again.");

    /// <summary>The locked message with the minutes left, rounded up (at least one).</summary>
    public string LockedFor(TimeSpan left) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, Locked, Math.Max(1, (int)Math.Ceiling(left.TotalMinutes)));

    /// <summary>
    /// The language: <c>lang</c> when it names one; else the OIDC request's <c>ui_locales</c>; else the browser's first
    /// preference between Chinese and English; else Chinese.
    /// </summary>
    public static LoginTexts For(string? lang, string? returnUrl, string? acceptLanguage)
    {
        if (Pick(lang) is { } chosen) return chosen;
        if (returnUrl is { } url && url.IndexOf('?') is var q and >= 0 &&
            QueryHelpers.ParseQuery(url[q..]).TryGetValue("ui_locales", out var locales))
            foreach (var locale in locales.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (Pick(locale) is { } fromRequest) return fromRequest;
        foreach (var part in (acceptLanguage ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (Pick(part.Split(';')[0]) is { } fromBrowser) return fromBrowser;
        return Chinese;
    }

    private static LoginTexts? Pick(string? tag) =>
        tag is null ? null
        : tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? Chinese
        : tag.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? English
        : null;
}

/// <summary>What the form shows again after a refusal (never the password).</summary>
public sealed record LoginFormState(string ReturnUrl, string Tenant = "", string UserName = "", string? ErrorCode = null, string? Error = null);

/// <summary>The change-password page's two languages, picked like the login page's.</summary>
public sealed record PasswordTexts(
    string Lang, string Title, string Subtitle, string MustChange, string SignedInAs, string Current, string New, string NewHint,
    string Confirm, string Submit, string Changed, string Missing, string CurrentWrong, string Invalid, string Mismatch,
    string Unchanged, string OtherLanguage, string OtherLanguageCode, string BackToApp)
{
    public static readonly PasswordTexts Chinese = new("zh-CN", "修改密码", "HRMS 考勤",
        "管理员已重置您的密码。请设置新密码后继续。", "当前用户：", "当前密码", "新密码", "至少 8 个字符，且不能与当前密码相同", "确认新密码",
        "修改密码", "密码已修改。", "请填写当前密码、新密码和确认密码。", "当前密码不正确。", "新密码需要 8 到 128 个字符。",
        "两次输入的新密码不一致。", "新密码不能与当前密码相同。", "English", "en", "不修改，返回应用");

    public static readonly PasswordTexts English = new("en", "Change password", "HRMS Attendance",
        "Your administrator has reset your password. Choose a new one to continue.", "Signed in as ", "Current password",
        "New password", "At least 8 characters, not the current password", "Confirm the new password", "Change password",
        "Your password has been changed.", "Enter the current password, the new one and its confirmation.",
        "The current password is not right.", "The new password needs 8 to 128 characters.", "The two new passwords differ.",
        "The new password must differ from the current one.", "中文", "zh-CN", "Back to the app without changing it");

    public static PasswordTexts For(string? lang, string? returnUrl, string? acceptLanguage) =>
        LoginTexts.For(lang, returnUrl, acceptLanguage) == LoginTexts.English ? English : Chinese;
}

/// <summary>What the change-password form shows (never a password).</summary>
public sealed record PasswordFormState(string ReturnUrl, string UserName, bool MustChange, string? ErrorCode = null, string? Error = null,
    bool Changed = false);

/// <summary>The frame of identity's pages: plain HTML and CSS from this service, no script; works on a phone and at 1366×768.</summary>
internal static class PageLayout
{
    public static string E(string? value) => WebUtility.HtmlEncode(value ?? "");

    public static string Error(string? code, string? message) => message is null ? "" :
        $"""<p class="error" role="alert" data-error-code="{E(code)}">{E(message)} <code>{E(code)}</code></p>""";

    public static string Render(string lang, string title, string subtitle, string otherLanguageHref, string otherLanguageCode,
        string otherLanguage, string content) => $$"""
            <!DOCTYPE html>
            <html lang="{{E(lang)}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(title)}} · {{E(subtitle)}}</title>
            <style>
              :root { color-scheme: light; --accent: #0f6cbd; --line: #d1d1d1; --text: #242424; --muted: #616161; }
              * { box-sizing: border-box; }
              body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f3f5f8;
                     font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: var(--text); }
              main { width: min(400px, 100vw - 32px); background: #fff; border: 1px solid #e6e6e6; border-radius: 10px;
                     padding: 32px 28px 24px; box-shadow: 0 4px 16px rgba(0,0,0,.06); }
              header { display: flex; align-items: baseline; justify-content: space-between; margin-bottom: 20px; }
              h1 { font-size: 22px; margin: 0; }
              .brand { color: var(--muted); font-size: 13px; margin: 2px 0 0; }
              .lang { font-size: 13px; color: var(--accent); text-decoration: none; }
              label { display: block; font-weight: 600; font-size: 14px; margin: 14px 0 6px; }
              input[type=text], input[type=password] { width: 100%; padding: 9px 11px; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
              input:focus { outline: 2px solid var(--accent); outline-offset: -1px; border-color: var(--accent); }
              .hint { color: var(--muted); font-size: 12px; margin-top: 4px; }
              button { width: 100%; margin-top: 22px; padding: 10px; font: inherit; font-weight: 600; color: #fff; background: var(--accent);
                       border: 0; border-radius: 6px; cursor: pointer; }
              button:hover { background: #115ea3; }
              .error { background: #fdf3f4; border: 1px solid #eeacb2; color: #751d1f; border-radius: 6px; padding: 8px 10px; margin: 0 0 8px; font-size: 14px; }
              .error code { font-size: 11px; color: #a4262c; }
              .notice { background: #f0f6ff; border: 1px solid #b4d6fa; color: #0e4775; border-radius: 6px; padding: 8px 10px; margin: 0 0 8px; font-size: 14px; }
              .back { margin: 16px 0 0; text-align: center; }
              .done { background: #f1faf1; border: 1px solid #9fd89f; color: #0e700e; border-radius: 6px; padding: 8px 10px; margin: 0 0 8px; font-size: 14px; }
              .who { color: var(--muted); font-size: 13px; margin: 0 0 4px; }
              footer { color: var(--muted); font-size: 12px; margin-top: 18px; text-align: center; }
            </style>
            </head>
            <body>
            <main>
              <header>
                <div><h1>{{E(title)}}</h1><p class="brand">{{E(subtitle)}}</p></div>
                <a class="lang" href="{{E(otherLanguageHref)}}" hreflang="{{E(otherLanguageCode)}}">{{E(otherLanguage)}}</a>
              </header>
            {{content}}
            </main>
            </body>
            </html>
            """;
}

/// <summary>The sign-in page.</summary>
public static class LoginPage
{
    public static string Render(LoginTexts t, LoginFormState state, string antiforgeryField, string antiforgeryToken)
    {
        static string E(string? value) => PageLayout.E(value);
        var other = QueryHelpers.AddQueryString("/account/login", new Dictionary<string, string?>
        {
            ["ReturnUrl"] = state.ReturnUrl,
            ["lang"] = t.OtherLanguageCode,
        });
        var autofocus = string.IsNullOrEmpty(state.Tenant) ? "tenant" : string.IsNullOrEmpty(state.UserName) ? "username" : "password";
        return PageLayout.Render(t.Lang, t.Title, t.Subtitle, other, t.OtherLanguageCode, t.OtherLanguage, $$"""
              {{PageLayout.Error(state.ErrorCode, state.Error)}}
              <form method="post" action="/account/login" autocomplete="on">
                <input type="hidden" name="{{E(antiforgeryField)}}" value="{{E(antiforgeryToken)}}">
                <input type="hidden" name="returnUrl" value="{{E(state.ReturnUrl)}}">
                <input type="hidden" name="lang" value="{{E(t.Lang)}}">
                <label for="tenant">{{E(t.Tenant)}}</label>
                <input id="tenant" name="tenant" type="text" value="{{E(state.Tenant)}}" autocomplete="organization" autocapitalize="none" spellcheck="false" required maxlength="63" {{(autofocus == "tenant" ? "autofocus" : "")}}>
                <div class="hint">{{E(t.TenantHint)}}</div>
                <label for="username">{{E(t.UserName)}}</label>
                <input id="username" name="username" type="text" value="{{E(state.UserName)}}" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="100" {{(autofocus == "username" ? "autofocus" : "")}}>
                <label for="password">{{E(t.Password)}}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128" {{(autofocus == "password" ? "autofocus" : "")}}>
                <button type="submit">{{E(t.Submit)}}</button>
              </form>
              <footer>{{E(t.Footer)}}</footer>
            """);
    }
}

/// <summary>
/// The change-password page (<c>/account/password</c>): after an admin's reset (the user cannot go on without it), or
/// by choice. It asks for the current password too, so a session left open does not let anyone else change it.
/// </summary>
public static class PasswordPage
{
    public static string Render(PasswordTexts t, PasswordFormState state, string antiforgeryField, string antiforgeryToken)
    {
        static string E(string? value) => PageLayout.E(value);
        var other = QueryHelpers.AddQueryString(SignInEndpoints.PasswordPath, new Dictionary<string, string?>
        {
            ["ReturnUrl"] = state.ReturnUrl,
            ["lang"] = t.OtherLanguageCode,
        });
        var notice = state.Changed ? $"""<p class="done" role="status" data-testid="password-changed">{E(t.Changed)}</p>"""
            : state.MustChange ? $"""<p class="notice" data-testid="must-change-password">{E(t.MustChange)}</p>"""
            : "";
        // Opened from the web app (its absolute URL to return to): a way back without changing anything. Not after a
        // reset, where the app cannot be used until the password is changed.
        var back = !state.MustChange && state.ReturnUrl.StartsWith("http", StringComparison.Ordinal)
            ? $"""<p class="back"><a class="lang" href="{E(state.ReturnUrl)}" data-testid="back-to-app">{E(t.BackToApp)}</a></p>"""
            : "";
        return PageLayout.Render(t.Lang, t.Title, t.Subtitle, other, t.OtherLanguageCode, t.OtherLanguage, $$"""
              <p class="who">{{E(t.SignedInAs)}}<code>{{E(state.UserName)}}</code></p>
              {{notice}}
              {{PageLayout.Error(state.ErrorCode, state.Error)}}
              <form method="post" action="{{SignInEndpoints.PasswordPath}}" autocomplete="off">
                <input type="hidden" name="{{E(antiforgeryField)}}" value="{{E(antiforgeryToken)}}">
                <input type="hidden" name="returnUrl" value="{{E(state.ReturnUrl)}}">
                <input type="hidden" name="lang" value="{{E(t.Lang)}}">
                <input type="text" name="username" value="{{E(state.UserName)}}" autocomplete="username" hidden>
                <label for="current">{{E(t.Current)}}</label>
                <input id="current" name="currentPassword" type="password" autocomplete="current-password" required maxlength="128" autofocus>
                <label for="new">{{E(t.New)}}</label>
                <input id="new" name="newPassword" type="password" autocomplete="new-password" required minlength="8" maxlength="128">
                <div class="hint">{{E(t.NewHint)}}</div>
                <label for="confirm">{{E(t.Confirm)}}</label>
                <input id="confirm" name="confirmPassword" type="password" autocomplete="new-password" required minlength="8" maxlength="128">
                <button type="submit">{{E(t.Submit)}}</button>
              </form>
              {{back}}
            """);
    }
}
