namespace HrmsAttendance.DailyResults.Model;

/// <summary>
/// Who is calling, as the gateway states it in gRPC metadata or HTTP headers. The tenant is mandatory: a
/// call without one is refused before any database work (fail closed).
/// </summary>
public sealed record CallerContext(Guid TenantId)
{
    public const string TenantHeader = "x-tenant-id";

    /// <param name="header">Reads one header or metadata value by its lower-case name; null when absent.</param>
    public static CallerContext From(Func<string, string?> header)
    {
        var tenant = header(TenantHeader);
        if (string.IsNullOrWhiteSpace(tenant))
            throw new ResultsException(ResultsErrors.TenantMissing, $"the {TenantHeader} metadata is required");
        if (!Guid.TryParseExact(tenant, "D", out var tenantId) || tenantId == Guid.Empty)
            throw new ResultsException(ResultsErrors.TenantInvalid, $"{TenantHeader} must be a canonical UUID, got '{Inputs.Shorten(tenant)}'");
        return new CallerContext(tenantId);
    }
}
