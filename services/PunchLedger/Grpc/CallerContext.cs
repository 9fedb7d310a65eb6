using Grpc.Core;

namespace HrmsAttendance.PunchLedger.Grpc;

/// <summary>
/// Who is calling, as the gateway states it in metadata. The tenant is mandatory: a call
/// without one is refused before any database work (fail closed).
/// </summary>
public sealed record CallerContext(Guid TenantId, string? PrincipalId)
{
    public const string TenantHeader = "x-tenant-id";
    public const string PrincipalHeader = "x-principal-id";

    public static CallerContext From(ServerCallContext context)
    {
        var tenant = context.RequestHeaders.GetValue(TenantHeader);
        if (string.IsNullOrWhiteSpace(tenant))
            throw LedgerErrors.Refuse(LedgerErrors.TenantMissing, $"the {TenantHeader} metadata is required");
        if (!Guid.TryParseExact(tenant, "D", out var tenantId) || tenantId == Guid.Empty)
            throw LedgerErrors.Refuse(LedgerErrors.TenantInvalid, $"{TenantHeader} must be a canonical UUID, got '{Truncate(tenant)}'");
        var principal = context.RequestHeaders.GetValue(PrincipalHeader);
        return new CallerContext(tenantId, string.IsNullOrWhiteSpace(principal) ? null : principal);
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
