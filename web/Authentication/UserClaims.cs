using System.Security.Claims;

namespace HrmsAttendance.Web.Authentication;

/// <summary>The claims of a signed-in user that the pages use (the identity service's token claims, as issued).</summary>
public static class UserClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Tenant = "tenant_id";
    public const string Person = "person_id";
    public const string Roles = "roles";
    public const string Locale = "locale";

    public static string? PersonId(this ClaimsPrincipal user) => user.FindFirst(Person)?.Value;

    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirst(Name)?.Value ?? user.FindFirst("preferred_username")?.Value ?? user.FindFirst(Subject)?.Value ?? "";
}

/// <summary>The roles a token can carry (libs/Tokens AccessRoles); the gateway's table decides what each may do.</summary>
public static class UserRoles
{
    public const string Employee = "employee";
    public const string Approver = "approver";
    public const string TenantAdmin = "tenant-admin";
}
