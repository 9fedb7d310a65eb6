using HrmsAttendance.Connectors.Parking;
using HrmsAttendance.Connectors.Polling;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.WeComConnector.Grpc;

/// <summary>What the tenant's status shows: settings (no secret), the poll cursor, the parked punches by state.</summary>
public sealed record WeComStatus(IntegrationSettings? Settings, PollCursor? Cursor, IReadOnlyDictionary<string, long> Punches);

/// <summary>What the gRPC service and the JSON routes share: the checks and the reads behind settings and status.</summary>
public sealed class IntegrationFacade(IntegrationSettingsStore settings, SettingsProtector protector, PollCursorStore cursors, ParkedPunchStore parked)
{
    public const int MaxCorpIdLength = 128;
    public const int MaxSecretLength = 256;

    /// <summary>Tenant admins only, also for a caller that reached the service without the gateway (which checks the same).</summary>
    public static void RequireAdmin(AccessTokenClaims caller)
    {
        if (!caller.Roles.Contains(AccessRoles.TenantAdmin, StringComparer.Ordinal))
            throw new WeComException(WeComErrors.Forbidden, "the WeCom integration is managed by the tenant's admins (role tenant-admin)");
    }

    public async Task<IntegrationSettings> PutAsync(AccessTokenClaims caller, string? corpId, string? corpSecret, bool enabled, CancellationToken ct)
    {
        RequireAdmin(caller);
        var id = Printable(corpId, "corp_id", MaxCorpIdLength);
        var secret = Printable(corpSecret, "corp_secret", MaxSecretLength);
        return await settings.PutAsync(caller.TenantId, id, protector.Protect(caller.TenantId, secret), enabled, caller.Subject, ct);
    }

    public async Task<IntegrationSettings> GetAsync(AccessTokenClaims caller, CancellationToken ct)
    {
        RequireAdmin(caller);
        return await settings.GetAsync(caller.TenantId, ct)
            ?? throw new WeComException(WeComErrors.SettingsNotFound, "no WeCom settings were put for this tenant");
    }

    public async Task<WeComStatus> StatusAsync(AccessTokenClaims caller, CancellationToken ct)
    {
        RequireAdmin(caller);
        return new WeComStatus(await settings.GetAsync(caller.TenantId, ct), await cursors.ReadAsync(caller.TenantId, ct),
            await parked.CountsAsync(caller.TenantId, ct));
    }

    private static string Printable(string? value, string field, int max)
    {
        if (string.IsNullOrEmpty(value) || value.Length > max || value.Any(char.IsControl) || value.Trim().Length != value.Length)
            throw WeComErrors.Invalid($"{field} must be 1 to {max} printable characters without surrounding spaces");
        return value;
    }
}
