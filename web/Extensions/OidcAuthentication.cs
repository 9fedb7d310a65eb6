using System.Security.Claims;
using HrmsAttendance.Web.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace HrmsAttendance.Web.Extensions;

internal static class OidcAuthentication
{
    /// <summary>
    /// A cookie session signed in with OpenID Connect at the identity service: authorization code + PKCE as the
    /// confidential client <c>hrms-web</c>, the tokens saved in the (encrypted) cookie and refreshed before they expire.
    /// </summary>
    public static void AddOidcSignIn(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(OidcSettings.SectionName);
        builder.Services.Configure<OidcSettings>(section);
        var settings = section.Get<OidcSettings>() ?? new OidcSettings();
        if (!Uri.TryCreate(settings.Authority, UriKind.Absolute, out var authority))
            throw new InvalidOperationException(
                $"Configuration {OidcSettings.SectionName}:Authority (Authentication__Oidc__Authority) must be the identity service's URL; it is '{settings.Authority}'.");
        if (string.IsNullOrEmpty(settings.ClientSecret))
            throw new InvalidOperationException(
                $"Configuration {OidcSettings.SectionName}:ClientSecret (Authentication__Oidc__ClientSecret) is missing; it has no default.");

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OidcTokenRefresher>();
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "hrms-web";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.AccessDeniedPath = "/forbidden";
                options.Events.OnValidatePrincipal = context =>
                    context.HttpContext.RequestServices.GetRequiredService<OidcTokenRefresher>().ValidateOrRefreshAsync(context);
            })
            .AddOpenIdConnect(options =>
            {
                options.Authority = authority.ToString();
                // The issuer runs on loopback over plain HTTP in a local topology; anywhere else its metadata must be HTTPS.
                options.RequireHttpsMetadata = !authority.IsLoopback;
                options.ClientId = settings.ClientId;
                options.ClientSecret = settings.ClientSecret;
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.UsePkce = true;
                // The code comes back as a top-level GET (not a cross-site form POST), so the correlation and nonce
                // cookies can be SameSite=Lax and follow the request's scheme: the local topology is plain HTTP, where
                // the default SameSite=None; Secure cookies are not kept by browsers.
                options.ResponseMode = OpenIdConnectResponseMode.Query;
                options.CorrelationCookie.SameSite = options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.CorrelationCookie.SecurePolicy = options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = false;
                options.Scope.Clear();
                foreach (var scope in settings.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    options.Scope.Add(scope);
                options.TokenValidationParameters.NameClaimType = UserClaims.Name;
                options.TokenValidationParameters.RoleClaimType = UserClaims.Roles;
                options.Events.OnTokenValidated = AddAccessTokenClaims;
            });

        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
    }

    /// <summary>The claims the pages need (tenant, roles, person, locale) as the access token has them, where the ID token does not.</summary>
    private static Task AddAccessTokenClaims(TokenValidatedContext context)
    {
        if (context.Principal?.Identity is not ClaimsIdentity identity
            || context.TokenEndpointResponse?.AccessToken is not { Length: > 0 } accessToken)
            return Task.CompletedTask;
        var handler = new JsonWebTokenHandler();
        if (!handler.CanReadToken(accessToken)) return Task.CompletedTask;
        var token = handler.ReadJsonWebToken(accessToken);
        foreach (var type in new[] { UserClaims.Tenant, UserClaims.Person, UserClaims.Roles, UserClaims.Locale, UserClaims.Name })
        {
            if (identity.HasClaim(claim => claim.Type == type)) continue;
            foreach (var claim in token.Claims.Where(claim => claim.Type == type))
                identity.AddClaim(new Claim(type, claim.Value));
        }
        return Task.CompletedTask;
    }
}
