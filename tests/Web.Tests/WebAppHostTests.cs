using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace HrmsAttendance.Web.Tests;

/// <summary>
/// The web app as the gateway forwards browsers to it (in memory, no identity service): sign-in redirects name the
/// gateway's address, pages check roles before anything renders, a page a role may not open answers 403.
/// </summary>
public sealed class WebAppHostTests : IClassFixture<WebAppHostTests.Factory>
{
    public const string Authority = "https://identity.test/";

    private readonly Factory _factory;

    public WebAppHostTests(Factory factory) => _factory = factory;

    private HttpClient Client() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static HttpRequestMessage ThroughGateway(string path, string? roles = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-Host", "127.0.0.1:5100");
        request.Headers.Add("X-Forwarded-Proto", "http");
        if (roles is not null) request.Headers.Add(TestSignIn.RolesHeader, roles);
        return request;
    }

    [Theory]
    [InlineData("/my-month")]
    [InlineData("/admin/persons")]
    [InlineData("/admin/daily-results.csv?from=2026-03-01&to=2026-03-31")]
    public async Task An_anonymous_request_is_sent_to_sign_in_with_pkce_and_the_gateways_callback(string path)
    {
        using var response = await Client().SendAsync(ThroughGateway(path));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Authority + "connect/authorize?", location.ToString());
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("hrms-web", query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("http://127.0.0.1:5100/signin-oidc", query["redirect_uri"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.NotEmpty(query["code_challenge"].ToString());
        Assert.Equal(["openid", "profile", "roles", "offline_access", "hrms-api"], query["scope"].ToString().Split(' '));
        // Over plain HTTP (the local topology) a browser keeps only cookies without Secure: the code comes back as a GET.
        Assert.False(query.ContainsKey("response_mode")); // the code flow's default: query
        var correlation = response.Headers.GetValues("Set-Cookie").Where(cookie => cookie.StartsWith(".AspNetCore.", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, correlation.Count);
        Assert.All(correlation, cookie =>
        {
            Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Theory]
    [InlineData("/admin/persons", "employee")]
    [InlineData("/admin/imports", "approver")]
    [InlineData("/admin/daily-results.csv?from=2026-03-01&to=2026-03-31", "employee")]
    [InlineData("/my-month", "tenant-admin")]
    [InlineData("/approvals", "employee")]
    [InlineData("/admin/audit", "approver")]
    [InlineData("/admin/users", "employee")]
    [InlineData("/admin/users", "approver")]
    public async Task A_page_the_role_may_not_open_goes_to_the_403_page_and_shows_nothing_of_it(string path, string roles)
    {
        using var response = await Client().SendAsync(ThroughGateway(path, roles));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/forbidden", response.Headers.Location!.AbsolutePath);

        using var forbidden = await Client().SendAsync(ThroughGateway(response.Headers.Location.PathAndQuery, roles));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var html = await forbidden.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"forbidden\"", html);
        Assert.DoesNotContain("persons-table", html);
    }

    [Fact]
    public async Task The_start_page_and_its_assets_need_no_sign_in_and_default_to_Chinese()
    {
        using var page = await Client().SendAsync(ThroughGateway("/"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html lang=\"zh-CN\"", await page.Content.ReadAsStringAsync());

        var english = ThroughGateway("/");
        english.Headers.AcceptLanguage.ParseAdd("en-US,en;q=0.9");
        using var englishPage = await Client().SendAsync(english);
        Assert.Contains("Sign in to see your attendance.", await englishPage.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/app.css")]
    [InlineData("/_content/Microsoft.FluentUI.AspNetCore.Components/Microsoft.FluentUI.AspNetCore.Components.bundle.scp.css")]
    [InlineData("/_framework/blazor.web.js")]
    public async Task Styles_and_scripts_are_served_outside_Development_too(string path)
    {
        // The AppHost runs the app from its build output in the Production environment.
        using var response = await Client().SendAsync(ThroughGateway(path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    public async Task The_language_switch_sets_its_cookie_and_never_redirects_away(string returnUrl)
    {
        using var response = await Client().SendAsync(ThroughGateway($"/account/culture?culture=en&returnUrl={Uri.EscapeDataString(returnUrl)}"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.ToString());
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(".AspNetCore.Culture=c%3Den%7Cuic%3Den", StringComparison.Ordinal));
    }

    public sealed class Factory : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Authentication:Oidc:Authority", Authority);
            builder.UseSetting("Authentication:Oidc:ClientSecret", "test-client-secret");
            builder.UseSetting("services:gateway:grpc:0", "http://127.0.0.1:1");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureTestServices(services =>
            {
                // The identity service's discovery document, as it would answer (nothing is fetched).
                services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options => options.Configuration = new OpenIdConnectConfiguration
                {
                    Issuer = Authority,
                    AuthorizationEndpoint = Authority + "connect/authorize",
                    TokenEndpoint = Authority + "connect/token",
                    EndSessionEndpoint = Authority + "connect/logout",
                });
                // A signed-in user from a test header instead of the cookie; challenges and forbids stay the app's.
                services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, TestSignIn>(TestSignIn.SchemeName, _ => { });
                services.PostConfigure<AuthenticationOptions>(options => options.DefaultAuthenticateScheme = TestSignIn.SchemeName);
                // Requests arrive from the gateway on loopback, the proxy the app trusts for X-Forwarded-*.
                services.AddSingleton<IStartupFilter, LoopbackConnection>();
            });
        }
    }

    private sealed class LoopbackConnection : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    public sealed class TestSignIn(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Test";
        public const string RolesHeader = "x-test-roles";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(RolesHeader, out var roles)) return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity(
                [new Claim("sub", "user-1"), new Claim("name", "Test User"), .. roles.ToString().Split(',').Select(role => new Claim("roles", role))],
                SchemeName, "name", "roles");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
