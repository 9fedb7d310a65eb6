namespace HrmsAttendance.IdentityMapping.Model;

/// <summary>
/// Who is calling, as the gateway states it in gRPC metadata or HTTP headers. The tenant is mandatory: a
/// call without one is refused before any database work (fail closed). The principal is optional and,
/// when present, recorded as who linked or unlinked an identity.
/// </summary>
public sealed record CallerContext(Guid TenantId, string? PrincipalId)
{
    public const string TenantHeader = "x-tenant-id";
    public const string PrincipalHeader = "x-principal-id";
    public const int MaxPrincipalLength = 200;

    /// <param name="header">Reads one header or metadata value by its lower-case name; null when absent.</param>
    public static CallerContext From(Func<string, string?> header)
    {
        var tenant = header(TenantHeader);
        if (string.IsNullOrWhiteSpace(tenant))
            throw new IdentityException(IdentityErrors.TenantMissing, $"the {TenantHeader} metadata is required");
        if (!Guid.TryParseExact(tenant, "D", out var tenantId) || tenantId == Guid.Empty)
            throw new IdentityException(IdentityErrors.TenantInvalid, $"{TenantHeader} must be a canonical UUID, got '{Inputs.Shorten(tenant)}'");

        var principal = header(PrincipalHeader);
        if (string.IsNullOrWhiteSpace(principal))
            return new CallerContext(tenantId, null);
        if (Inputs.CodePoints(principal) > MaxPrincipalLength || Inputs.HasControlCharacter(principal))
            throw IdentityErrors.Invalid($"{PrincipalHeader} must be at most {MaxPrincipalLength} characters without control characters");
        return new CallerContext(tenantId, principal);
    }
}
