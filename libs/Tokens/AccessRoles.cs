namespace HrmsAttendance.Tokens;

/// <summary>
/// The roles an access token can carry. What each role may do is decided in one place, the gateway's
/// <c>AccessPolicy</c> table; this class only names them.
/// </summary>
public static class AccessRoles
{
    /// <summary>A person of the tenant: reads and punches only for itself (the token's <c>person_id</c>).</summary>
    public const string Employee = "employee";
    /// <summary>Reviews the tenant's results and punches; changes nothing.</summary>
    public const string Approver = "approver";
    /// <summary>Everything within its tenant.</summary>
    public const string TenantAdmin = "tenant-admin";
    /// <summary>A connector (DingTalk, WeCom, importer): submits punches and resolves identities.</summary>
    public const string Integration = "integration";

    public static IReadOnlyList<string> All { get; } = [Employee, Approver, TenantAdmin, Integration];

    /// <summary>Exact, case-sensitive: a token's roles are compared as written.</summary>
    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>The JWT claim names of an access token (besides the registered iss, aud, iat, nbf, exp, jti).</summary>
public static class AccessTokenClaimNames
{
    /// <summary>The tenant, a canonical UUID string.</summary>
    public const string Tenant = "tenant_id";
    /// <summary>The principal (a user or a connector): non-empty, at most <see cref="AccessTokenClaims.MaxSubjectLength"/> characters, no control characters.</summary>
    public const string Subject = "sub";
    /// <summary>A JSON array of <see cref="AccessRoles"/>, at least one.</summary>
    public const string Roles = "roles";
    /// <summary>The caller's own person (identity-mapping's person_uuid), a canonical UUID string; employees need it.</summary>
    public const string Person = "person_id";
}

/// <summary>What an access token says about its caller.</summary>
public sealed record AccessTokenClaims(Guid TenantId, string Subject, IReadOnlyList<string> Roles, Guid? PersonId = null)
{
    /// <summary>Services record the subject (e.g. as who linked an identity): a bounded, printable name.</summary>
    public const int MaxSubjectLength = 200;
}
