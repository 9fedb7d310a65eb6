using System.Security.Claims;

namespace HrmsAttendance.Tokens;

/// <summary>
/// A validated token's claims as the <see cref="ClaimsPrincipal"/> ASP.NET Core hands on (one claim per role), and
/// back: the authentication of the gateway and of every service makes the one, the code behind it reads the other.
/// </summary>
public static class AccessTokenPrincipal
{
    /// <summary>The authentication type of the identities <see cref="ToPrincipal"/> makes.</summary>
    public const string AuthenticationType = "Bearer";

    public static ClaimsPrincipal ToPrincipal(this AccessTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var list = new List<Claim>
        {
            new(AccessTokenClaimNames.Tenant, claims.TenantId.ToString("D")),
            new(AccessTokenClaimNames.Subject, claims.Subject),
        };
        list.AddRange(claims.Roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(role => new Claim(AccessTokenClaimNames.Roles, role)));
        if (claims.PersonId is { } person) list.Add(new Claim(AccessTokenClaimNames.Person, person.ToString("D")));
        return new ClaimsPrincipal(new ClaimsIdentity(list, AuthenticationType, AccessTokenClaimNames.Subject, AccessTokenClaimNames.Roles));
    }

    /// <summary>The claims of an authenticated principal <see cref="ToPrincipal"/> made; null when it is not authenticated or lacks them.</summary>
    public static AccessTokenClaims? FromPrincipal(ClaimsPrincipal? user)
    {
        if (user?.Identity is not { IsAuthenticated: true }) return null;
        if (!Guid.TryParseExact(user.FindFirst(AccessTokenClaimNames.Tenant)?.Value, "D", out var tenant)) return null;
        if (user.FindFirst(AccessTokenClaimNames.Subject)?.Value is not { Length: > 0 } subject) return null;
        var roles = user.FindAll(AccessTokenClaimNames.Roles).Select(claim => claim.Value).ToList();
        Guid? person = Guid.TryParseExact(user.FindFirst(AccessTokenClaimNames.Person)?.Value, "D", out var p) ? p : null;
        return new AccessTokenClaims(tenant, subject, roles, person);
    }
}
