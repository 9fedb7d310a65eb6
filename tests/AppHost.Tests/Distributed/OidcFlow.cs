using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HrmsAttendance.AppHost.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// A browser's sign-in as plain HTTP: GET /connect/authorize (PKCE S256) → the login form → POST it → the code at the
/// web client's redirect URI → the token endpoint with the client's secret. Nothing followed automatically, so each hop is seen.
/// </summary>
internal sealed partial class OidcFlow(DistributedApplication app) : IDisposable
{
    public const string Scopes = "openid profile roles offline_access hrms-api";

    private readonly CookieContainer _cookies = new();
    private HttpClient? _client;

    public Uri Identity { get; } = app.GetEndpoint("identity", "http");
    public Uri Gateway { get; } = app.GetEndpoint("gateway", "http");
    public string RedirectUri => new Uri(Gateway, "/signin-oidc").AbsoluteUri;

    public HttpClient Client => _client ??= new HttpClient(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false, UseCookies = true })
    {
        BaseAddress = Identity,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task<string> ParameterAsync(string name) =>
        await app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == name).GetValueAsync(CancellationToken.None) ?? throw new InvalidOperationException($"{name} has no value");

    public Task<string> WebClientSecretAsync() => ParameterAsync(IdentitySecrets.WebClientSecretParameter);

    /// <summary>The whole flow for a user; the token endpoint's JSON answer.</summary>
    public async Task<JsonElement> SignInAsync(string tenant, string userName, string password)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var loginPage = await StartAsync(verifier, state);
        using var submitted = await SubmitLoginAsync(loginPage, tenant, userName, password);
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        var back = submitted.Headers.Location!;
        Assert.StartsWith("/connect/authorize?", back.OriginalString);

        using var authorized = await Client.GetAsync(back);
        Assert.Equal(HttpStatusCode.Redirect, authorized.StatusCode);
        var callback = authorized.Headers.Location!;
        Assert.StartsWith(RedirectUri + "?", callback.AbsoluteUri);
        var query = ParseQuery(callback.Query);
        Assert.Equal(state, query["state"]);
        return await RedeemAsync(query["code"], verifier);
    }

    /// <summary>GET /connect/authorize without a session: redirected to the login page, whose HTML is returned.</summary>
    public async Task<string> StartAsync(string verifier, string state)
    {
        using var toLogin = await AuthorizeAsync(verifier, state);
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        Assert.StartsWith("/account/login?", toLogin.Headers.Location!.PathAndQuery);
        using var page = await Client.GetAsync(toLogin.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await page.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// GET /connect/authorize (code + PKCE S256) with this browser's cookies: a redirect to the login page without a
    /// session, or to the redirect URI with a code with one. The caller disposes the response.
    /// </summary>
    public Task<HttpResponseMessage> AuthorizeAsync(string verifier, string state)
    {
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = "/connect/authorize?" + string.Join("&", new Dictionary<string, string>
        {
            ["client_id"] = "hrms-web",
            ["response_type"] = "code",
            ["scope"] = Scopes,
            ["redirect_uri"] = RedirectUri,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = state,
            ["nonce"] = Base64Url(RandomNumberGenerator.GetBytes(16)),
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        return Client.GetAsync(authorize);
    }

    public Task<HttpResponseMessage> SubmitLoginAsync(string loginPage, string tenant, string userName, string password) =>
        SubmitFormAsync(loginPage, "/account/login", new() { ["tenant"] = tenant, ["username"] = userName, ["password"] = password });

    /// <summary>POSTs identity's change-password form (<c>/account/password</c>) as this browser.</summary>
    public Task<HttpResponseMessage> SubmitPasswordChangeAsync(string passwordPage, string current, string chosen, string confirmation) =>
        SubmitFormAsync(passwordPage, "/account/password",
            new() { ["currentPassword"] = current, ["newPassword"] = chosen, ["confirmPassword"] = confirmation });

    /// <summary>One of identity's forms, with the antiforgery token, return URL and language of the page it came from.</summary>
    private async Task<HttpResponseMessage> SubmitFormAsync(string page, string action, Dictionary<string, string> fields)
    {
        string Field(string name) => WebUtility.HtmlDecode(
            Regex.Match(page, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"").Groups[1].Value);
        var antiforgery = Regex.Match(page, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">");
        Assert.True(antiforgery.Success, "the form has an antiforgery field");
        fields[WebUtility.HtmlDecode(antiforgery.Groups[1].Value)] = WebUtility.HtmlDecode(antiforgery.Groups[2].Value);
        fields["returnUrl"] = Field("returnUrl");
        fields["lang"] = Field("lang");
        return await Client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    /// <summary>The stable code a page of identity shows with its refusal, or null.</summary>
    public static string? ErrorCode(string html) =>
        Regex.Match(html, "data-error-code=\"([^\"]+)\"") is { Success: true } match ? match.Groups[1].Value : null;

    public async Task<JsonElement> RedeemAsync(string code, string verifier)
    {
        using var response = await Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
            ["client_id"] = "hrms-web",
            ["client_secret"] = await WebClientSecretAsync(),
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token endpoint: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The web client's refresh-token grant; the caller disposes the response (success or an OAuth error).</summary>
    public async Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        await Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = "hrms-web",
            ["client_secret"] = await WebClientSecretAsync(),
        }));

    public async Task<HttpResponseMessage> ClientCredentialsAsync(string clientId, string secret, string scope = "hrms-api") =>
        await ClientCredentialsAsync(clientId, secret, [], scope);

    /// <summary>Client credentials with more parameters (a service client's <c>tenant_id</c>; a name may come twice).</summary>
    public async Task<HttpResponseMessage> ClientCredentialsAsync(string clientId, string secret,
        IEnumerable<KeyValuePair<string, string>> parameters, string scope = "hrms-api") =>
        await Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
        }.Concat(parameters)));

    /// <summary>A refused token request's OAuth error and description (RFC 6749 §5.2).</summary>
    public static async Task<(string Error, string Description)> ErrorOfAsync(HttpResponseMessage response)
    {
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("error").GetString()!, body.TryGetProperty("error_description", out var d) ? d.GetString()! : "");
    }

    /// <summary>A JWT's header and payload (its signature is the gateway's to check).</summary>
    public static (JsonElement Header, JsonElement Payload) Decode(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        static JsonElement Part(string part)
        {
            var base64 = part.Replace('-', '+').Replace('_', '/');
            return JsonDocument.Parse(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='))).RootElement.Clone();
        }
        return (Part(parts[0]), Part(parts[1]));
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair.Length > 1 ? pair[1].Replace('+', ' ') : ""));

    public void Dispose() => _client?.Dispose();
}
