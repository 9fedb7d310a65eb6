using System.Security.Claims;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Access;

/// <summary>Who is calling, as the gateway's bearer token says: the tenant, the principal, its roles and (employees) its person.</summary>
public sealed record CallerPrincipal(Guid TenantId, string Subject, IReadOnlySet<string> Roles, Guid? PersonId)
{
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
    public static CallerPrincipal? From(ClaimsPrincipal? user) =>
        AccessTokenPrincipal.FromPrincipal(user) is { } claims ? FromClaims(claims) : null;

    public static CallerPrincipal FromClaims(AccessTokenClaims claims) =>
        new(claims.TenantId, claims.Subject, new HashSet<string>(claims.Roles, StringComparer.Ordinal), claims.PersonId);
}
