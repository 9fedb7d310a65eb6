using System.Net;
using Microsoft.AspNetCore.WebUtilities;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>The sign-in page's two languages: Chinese (the default) and English.</summary>
public sealed record LoginTexts(
    string Lang, string Title, string Subtitle, string Tenant, string TenantHint, string UserName, string Password, string Submit,
    string Failed, string Missing, string OtherLanguage, string OtherLanguageCode, string Footer)
{
    public static readonly LoginTexts Chinese = new("zh-CN", "登录", "HRMS 考勤", "组织代码", "例如 demo", "用户名", "密码", "登录",
        "组织代码、用户名或密码不正确。", "请填写组织代码、用户名和密码。", "English", "en", "登录后将返回您正在使用的应用。");

    public static readonly LoginTexts English = new("en", "Sign in", "HRMS Attendance", "Organisation code", "e.g. demo", "User name",
        "Password", "Sign in", "The organisation code, user name or password is not right.", "Enter the organisation code, user name and password.",
        "中文", "zh-CN", "After signing in you return to the app you came from.");

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

/// <summary>The sign-in page: plain HTML and CSS from this service, no script; works on a phone and at 1366×768.</summary>
public static class LoginPage
{
    public static string Render(LoginTexts t, LoginFormState state, string antiforgeryField, string antiforgeryToken)
    {
        static string E(string? value) => WebUtility.HtmlEncode(value ?? "");
        var other = QueryHelpers.AddQueryString("/account/login", new Dictionary<string, string?>
        {
            ["ReturnUrl"] = state.ReturnUrl,
            ["lang"] = t.OtherLanguageCode,
        });
        var error = state.Error is null ? "" :
            $"""<p class="error" role="alert" data-error-code="{E(state.ErrorCode)}">{E(state.Error)} <code>{E(state.ErrorCode)}</code></p>""";
        var autofocus = string.IsNullOrEmpty(state.Tenant) ? "tenant" : string.IsNullOrEmpty(state.UserName) ? "username" : "password";
        return $$"""
            <!DOCTYPE html>
            <html lang="{{E(t.Lang)}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(t.Title)}} · {{E(t.Subtitle)}}</title>
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
              footer { color: var(--muted); font-size: 12px; margin-top: 18px; text-align: center; }
            </style>
            </head>
            <body>
            <main>
              <header>
                <div><h1>{{E(t.Title)}}</h1><p class="brand">{{E(t.Subtitle)}}</p></div>
                <a class="lang" href="{{E(other)}}" hreflang="{{E(t.OtherLanguageCode)}}">{{E(t.OtherLanguage)}}</a>
              </header>
              {{error}}
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
            </main>
            </body>
            </html>
            """;
    }
}
