using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace HrmsAttendance.Web.Authentication;

/// <summary>
/// Keeps the session's access token fresh: on a request whose cookie holds an access token with less than
/// <see cref="OidcSettings.RefreshBeforeExpiry"/> left, redeems the refresh token at the issuer's token endpoint and
/// writes the new tokens into the cookie. A refused refresh ends the session (the next page asks to sign in again).
/// Only requests refresh, never a running circuit: the issuer rotates refresh tokens, and a circuit cannot write the
/// cookie, so a circuit that redeemed one would leave the cookie with a spent token.
/// </summary>
public sealed class OidcTokenRefresher(IOptionsMonitor<OpenIdConnectOptions> oidcOptions, IOptions<OidcSettings> settings, TimeProvider time)
{
    public async Task ValidateOrRefreshAsync(CookieValidatePrincipalContext context)
    {
        var expiresAt = context.Properties.GetTokenValue("expires_at");
        if (!DateTimeOffset.TryParse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires)) return;
        if (expires - time.GetUtcNow() > settings.Value.RefreshBeforeExpiry) return;

        var refreshToken = context.Properties.GetTokenValue("refresh_token");
        if (string.IsNullOrEmpty(refreshToken))
        {
            context.RejectPrincipal();
            return;
        }

        var options = oidcOptions.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        using var response = await options.Backchannel.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string?>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = options.ClientId,
            ["client_secret"] = options.ClientSecret,
            ["refresh_token"] = refreshToken,
        }), context.HttpContext.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            context.RejectPrincipal();
            return;
        }

        var message = new OpenIdConnectMessage(await response.Content.ReadAsStringAsync(context.HttpContext.RequestAborted));
        var expiresIn = int.TryParse(message.ExpiresIn, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
        context.Properties.StoreTokens(
        [
            new AuthenticationToken { Name = "access_token", Value = message.AccessToken },
            new AuthenticationToken { Name = "id_token", Value = message.IdToken ?? context.Properties.GetTokenValue("id_token") ?? "" },
            new AuthenticationToken { Name = "refresh_token", Value = message.RefreshToken ?? refreshToken },
            new AuthenticationToken { Name = "token_type", Value = message.TokenType ?? "Bearer" },
            new AuthenticationToken
            {
                Name = "expires_at",
                Value = time.GetUtcNow().AddSeconds(expiresIn).ToString("o", CultureInfo.InvariantCulture),
            },
        ]);
        context.ShouldRenew = true;
    }
}
