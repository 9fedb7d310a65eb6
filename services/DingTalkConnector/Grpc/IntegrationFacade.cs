using HrmsAttendance.Connectors.Parking;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.DingTalkConnector.Monitoring;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.DingTalkConnector.Grpc;

/// <summary>What the gRPC service and the JSON routes share: the checks and the reads behind settings and status.</summary>
public sealed class IntegrationFacade(IntegrationSettingsStore settings, SettingsProtector protector, StreamStatusStore status, ParkedPunchStore parked)
{
    public const int MaxClientIdLength = 128;
    public const int MaxSecretLength = 256;

    /// <summary>Tenant admins only, also for a caller that reached the service without the gateway (which checks the same).</summary>
    public static void RequireAdmin(AccessTokenClaims caller)
    {
        if (!caller.Roles.Contains(AccessRoles.TenantAdmin, StringComparer.Ordinal))
            throw new DingTalkException(DingTalkErrors.Forbidden, "the DingTalk integration is managed by the tenant's admins (role tenant-admin)");
    }

    public async Task<IntegrationSettings> PutAsync(AccessTokenClaims caller, string? clientId, string? clientSecret, bool enabled, CancellationToken ct)
    {
        RequireAdmin(caller);
        var id = Printable(clientId, "client_id", MaxClientIdLength);
        var secret = Printable(clientSecret, "client_secret", MaxSecretLength);
        return await settings.PutAsync(caller.TenantId, id, protector.Protect(caller.TenantId, secret), enabled, caller.Subject, ct);
    }

    public async Task<IntegrationSettings> GetAsync(AccessTokenClaims caller, CancellationToken ct)
    {
        RequireAdmin(caller);
        return await settings.GetAsync(caller.TenantId, ct)
            ?? throw new DingTalkException(DingTalkErrors.SettingsNotFound, "no DingTalk settings were put for this tenant");
    }

    public async Task<(IntegrationSettings? Settings, StreamStatus? Stream, IReadOnlyDictionary<string, long> Punches)> StatusAsync(
        AccessTokenClaims caller, CancellationToken ct)
    {
        RequireAdmin(caller);
        var current = await settings.GetAsync(caller.TenantId, ct);
        var stream = await status.ReadAsync(caller.TenantId);
        var punches = await parked.CountsAsync(caller.TenantId, ct);
        return (current, stream, punches);
    }

    private static string Printable(string? value, string field, int max)
    {
        if (string.IsNullOrEmpty(value) || value.Length > max || value.Any(char.IsControl) || value.Trim().Length != value.Length)
            throw DingTalkErrors.Invalid($"{field} must be 1 to {max} printable characters without surrounding spaces");
        return value;
    }
}
