using System.Security.Claims;
using System.Text.Json;
using HrmsAttendance.Identity.Data;
using HrmsAttendance.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>
/// The claims of the tokens this issuer makes, exactly those of libs/Tokens (<c>sub</c>, <c>tenant_id</c>, <c>roles</c>
/// as a JSON array even with one role, <c>person_id</c> when the user has one) plus <c>name</c>, <c>locale</c> and
/// <c>preferred_username</c> for the web app. Built afresh from the database at every token request, so a deactivated
/// user or a changed role takes effect at the next refresh.
/// </summary>
public static class TokenClaims
{
    /// <summary>The <c>hrms-api</c> scope: a token for the gateway and the services.</summary>
    public const string ApiScope = "hrms-api";

    /// <summary>
    /// The user's security stamp when the code or refresh token was issued (<see cref="UserRecord.SecurityStamp"/>). No
    /// destination: OpenIddict keeps it in codes and refresh tokens only, never in an access or identity token.
    /// </summary>
    public const string SecurityStamp = "security_stamp";

    public static ClaimsIdentity ForUser(UserRecord user, TenantRecord tenant, IEnumerable<string> scopes)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.UserId.ToString("D"))
                .SetClaim(AccessTokenClaimNames.Tenant, user.TenantId.ToString("D"))
                .SetClaim(Claims.Name, user.DisplayName)
                .SetClaim(Claims.PreferredUsername, user.UserName)
                .SetClaim(Claims.Locale, user.PreferredLocale ?? tenant.DefaultLocale);
        if (user.PersonId is { } person)
            identity.SetClaim(AccessTokenClaimNames.Person, person.ToString("D"));
        identity.SetClaim(SecurityStamp, user.SecurityStamp.ToString("D"));
        identity.AddClaim(Roles(user.Roles));
        return Finish(identity, scopes);
    }

    public static ClaimsIdentity ForClient(string clientId, string displayName, Guid tenantId, IEnumerable<string> scopes)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, "service:" + clientId)
                .SetClaim(AccessTokenClaimNames.Tenant, tenantId.ToString("D"))
                .SetClaim(Claims.Name, displayName);
        identity.AddClaim(Roles(IntegrationClientSettings.Roles));
        return Finish(identity, scopes);
    }

    private static ClaimsIdentity NewIdentity() =>
        new(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, AccessTokenClaimNames.Roles);

    /// <summary>
    /// One claim whose value is the JSON array: OpenIddict's helpers would split it into one claim per role, and a token
    /// with one role would then carry a bare string, which libs/Tokens refuses.
    /// </summary>
    private static Claim Roles(IReadOnlyList<string> roles) =>
        new(AccessTokenClaimNames.Roles, JsonSerializer.Serialize(roles), JsonClaimValueTypes.JsonArray);

    private static ClaimsIdentity Finish(ClaimsIdentity identity, IEnumerable<string> scopes)
    {
        var granted = scopes.ToHashSet(StringComparer.Ordinal);
        identity.SetScopes(granted);
        if (granted.Contains(ApiScope))
            identity.SetResources(AccessTokenSettings.DefaultAudience);
        identity.SetDestinations(claim => Destinations(claim, granted));
        return identity;
    }

    private static IEnumerable<string> Destinations(Claim claim, IReadOnlySet<string> scopes) => claim.Type switch
    {
        Claims.Subject or AccessTokenClaimNames.Tenant or AccessTokenClaimNames.Person =>
            [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        Claims.Name or Claims.PreferredUsername or Claims.Locale when scopes.Contains(Scopes.Profile) =>
            [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        AccessTokenClaimNames.Roles when scopes.Contains(Scopes.Roles) =>
            [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        SecurityStamp => [],
        _ => [OpenIddictConstants.Destinations.AccessToken],
    };
}
