namespace HrmsAttendance.Gateway.Forwarding;

/// <summary>The identity headers only the gateway may set. Client copies are always dropped.</summary>
public static class IdentityHeaders
{
    public const string Tenant = "x-tenant-id";
    public const string Principal = "x-principal-id";
    public const string Roles = "x-roles";
    public const string Person = "x-person-id";

    /// <summary>Any name starting with this is the gateway's own (client copies dropped too).</summary>
    public const string GatewayPrefix = "x-gateway-";

    /// <summary>The four identity headers (case-insensitive) and every <c>x-gateway-*</c> header.</summary>
    public static bool IsReserved(string headerName)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        return headerName.Equals(Tenant, StringComparison.OrdinalIgnoreCase)
            || headerName.Equals(Principal, StringComparison.OrdinalIgnoreCase)
            || headerName.Equals(Roles, StringComparison.OrdinalIgnoreCase)
            || headerName.Equals(Person, StringComparison.OrdinalIgnoreCase)
            || headerName.StartsWith(GatewayPrefix, StringComparison.OrdinalIgnoreCase);
    }
}
