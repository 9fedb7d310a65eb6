using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Access;

/// <summary>How far a grant reaches: the whole tenant (the services enforce the tenant), or only the caller's own person.</summary>
public enum AccessScope
{
    /// <summary>Anything within the token's tenant.</summary>
    Tenant,
    /// <summary>Only requests about the token's <c>person_id</c>; the gateway inspects the request to make sure.</summary>
    OwnPerson,
}

/// <summary>
/// THE role × (object, action) table. Nothing else grants access: an operation without a row, or a role without a
/// cell, is denied. Tenants are isolated by the services (each takes the tenant from the forwarded token); this
/// table only says what a role may do inside its tenant.
/// </summary>
public static class AccessPolicy
{
    private const AccessScope Own = AccessScope.OwnPerson;
    private const AccessScope All = AccessScope.Tenant;
    private static readonly AccessScope? No = null;

    private static readonly Row[] Table =
    [
        //  object:action                        employee  approver  tenant-admin  integration
        new(Operations.SubmitPunches,            Own,      No,       All,          All),
        new(Operations.ReadPunches,              Own,      All,      All,          No),
        new(Operations.ReadDailyResults,         Own,      All,      All,          No),
        new(Operations.CreatePerson,             No,       No,       All,          No),
        new(Operations.UpdatePerson,             No,       No,       All,          No),
        new(Operations.ReadPersons,              No,       No,       All,          No),
        new(Operations.LinkIdentity,             No,       No,       All,          No),
        new(Operations.UnlinkIdentity,           No,       No,       All,          No),
        new(Operations.ResolveIdentities,        No,       No,       All,          All),
        new(Operations.ReadUnmapped,             No,       No,       All,          No),
        new(Operations.SubmitImport,             No,       No,       All,          No),
        new(Operations.ReadImports,              No,       No,       All,          No),
        new(Operations.ConfigureIntegrations,    No,       No,       All,          No),
        new(Operations.ReadIntegrations,         No,       No,       All,          No),
        new(Operations.RequestAdjustment,        Own,      Own,      All,          No),
        new(Operations.ReadAdjustments,          Own,      All,      All,          No),
        new(Operations.GetAdjustment,            All,      All,      All,          No),
        new(Operations.WithdrawAdjustment,       All,      All,      All,          No),
        new(Operations.DecideAdjustments,        No,       All,      All,          No),
        new(Operations.ManageApprovers,          No,       No,       All,          No),
        new(Operations.ReadAuditLog,             No,       No,       All,          No),
    ];

    private sealed record Row(Operation Operation, AccessScope? Employee, AccessScope? Approver, AccessScope? TenantAdmin, AccessScope? Integration)
    {
        public AccessScope? For(string role) => role switch
        {
            AccessRoles.Employee => Employee,
            AccessRoles.Approver => Approver,
            AccessRoles.TenantAdmin => TenantAdmin,
            AccessRoles.Integration => Integration,
            _ => null,
        };
    }

    private static readonly Dictionary<Operation, Row> ByOperation = Table.ToDictionary(row => row.Operation);

    /// <summary>Every operation the table decides, for tests.</summary>
    public static IReadOnlyCollection<Operation> DecidedOperations => ByOperation.Keys;

    /// <summary>The widest scope any of <paramref name="roles"/> grants for <paramref name="operation"/>; null = denied.</summary>
    public static AccessScope? Find(IReadOnlySet<string> roles, Operation operation)
    {
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(operation);
        if (!ByOperation.TryGetValue(operation, out var row)) return null;
        AccessScope? widest = null;
        foreach (var role in roles)
            if (row.For(role) is { } scope && (widest is null || scope == AccessScope.Tenant))
                widest = scope;
        return widest;
    }
}
