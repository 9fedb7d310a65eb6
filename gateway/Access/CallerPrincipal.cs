using System.Security.Claims;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Access;

/// <summary>Who is calling, as the gateway's bearer token says: the tenant, the principal, its roles and (employees) its person.</summary>
public sealed record CallerPrincipal(Guid TenantId, string Subject, IReadOnlySet<string> Roles, Guid? PersonId)
{
    /// <summary>The authentication type of the identities <see cref="ToClaimsPrincipal"/> makes.</summary>
    public const string AuthenticationType = "Bearer";

    /// <summary>The claims JwtBearer hands on after <see cref="Authentication.GatewayJwtBearerEvents"/> checked them.</summary>
    public ClaimsPrincipal ToClaimsPrincipal()
    {
        var claims = new List<Claim>
        {
            new(AccessTokenClaimNames.Tenant, TenantId.ToString("D")),
            new(AccessTokenClaimNames.Subject, Subject),
        };
        claims.AddRange(Roles.Order(StringComparer.Ordinal).Select(role => new Claim(AccessTokenClaimNames.Roles, role)));
        if (PersonId is { } person) claims.Add(new Claim(AccessTokenClaimNames.Person, person.ToString("D")));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, AccessTokenClaimNames.Subject, AccessTokenClaimNames.Roles));
    }

    private static readonly object ItemKey = new();

    /// <summary>The caller of an authenticated request, read from its claims once per request; null when not authenticated.</summary>
    public static CallerPrincipal? Of(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is CallerPrincipal principal && context.User.Identity?.IsAuthenticated == true)
            return principal;
        var caller = From(context.User);
        if (caller is not null) context.Items[ItemKey] = caller;
        return caller;
    }

    /// <summary>The caller of an authenticated request; null when the request is not authenticated.</summary>
    public static CallerPrincipal? From(ClaimsPrincipal? user)
    {
        if (user?.Identity is not { IsAuthenticated: true }) return null;
        if (!Guid.TryParseExact(user.FindFirstValue(AccessTokenClaimNames.Tenant), "D", out var tenant)) return null;
        if (user.FindFirstValue(AccessTokenClaimNames.Subject) is not { Length: > 0 } subject) return null;
        var roles = new HashSet<string>(user.FindAll(AccessTokenClaimNames.Roles).Select(claim => claim.Value), StringComparer.Ordinal);
        Guid? person = Guid.TryParseExact(user.FindFirstValue(AccessTokenClaimNames.Person), "D", out var p) ? p : null;
        return new CallerPrincipal(tenant, subject, roles, person);
    }

    public static CallerPrincipal FromClaims(AccessTokenClaims claims) =>
        new(claims.TenantId, claims.Subject, new HashSet<string>(claims.Roles, StringComparer.Ordinal), claims.PersonId);
}
