using HrmsAttendance.Connectors.Parking;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Connectors.Integration;

/// <summary>
/// What a connector reports about a tenant's platform consumer: DingTalk's stream (from Redis), WeCom's poll cursor (from
/// its table). Null before any replica ran one.
/// </summary>
public interface IConsumerStatusSource<TConsumer> where TConsumer : class
{
    Task<TConsumer?> ReadAsync(Guid tenant, CancellationToken ct);
}

/// <summary>A tenant's integration as its status shows it: settings (no secret), its consumer, the parked punches by state.</summary>
public sealed record IntegrationStatus<TConsumer>(IntegrationSettings? Settings, TConsumer? Consumer, IReadOnlyDictionary<string, long> Punches)
    where TConsumer : class;

/// <summary>
/// What a connector's gRPC service and JSON routes share: the checks and the reads behind its settings and status. The
/// tenant is the caller token's; only its admins may read or change the integration, also when they reach the connector
/// without the gateway (which checks the same).
/// </summary>
public sealed class IntegrationFacade<TConsumer>(
    ConnectorProvider provider,
    IntegrationSettingsStore settings,
    SettingsProtector protector,
    IConsumerStatusSource<TConsumer> consumers,
    ParkedPunchStore parked) where TConsumer : class
{
    public const int MaxAppIdLength = 128;
    public const int MaxSecretLength = 256;

    public void RequireAdmin(AccessTokenClaims caller)
    {
        if (!caller.Roles.Contains(AccessRoles.TenantAdmin, StringComparer.Ordinal))
            throw new ConnectorException(provider.Errors.Forbidden,
                $"the {provider.DisplayName} integration is managed by the tenant's admins (role tenant-admin)");
    }

    public async Task<IntegrationSettings> PutAsync(AccessTokenClaims caller, string? appId, string? appSecret, bool enabled, CancellationToken ct)
    {
        RequireAdmin(caller);
        var id = Printable(appId, provider.AppIdField, MaxAppIdLength);
        var secret = Printable(appSecret, provider.AppSecretField, MaxSecretLength);
        return await settings.PutAsync(caller.TenantId, id, protector.Protect(caller.TenantId, secret), enabled, caller.Subject, ct);
    }

    public async Task<IntegrationSettings> GetAsync(AccessTokenClaims caller, CancellationToken ct)
    {
        RequireAdmin(caller);
        return await settings.GetAsync(caller.TenantId, ct)
            ?? throw new ConnectorException(provider.Errors.SettingsNotFound, $"no {provider.DisplayName} settings were put for this tenant");
    }

    public async Task<IntegrationStatus<TConsumer>> StatusAsync(AccessTokenClaims caller, CancellationToken ct)
    {
        RequireAdmin(caller);
        return new IntegrationStatus<TConsumer>(await settings.GetAsync(caller.TenantId, ct), await consumers.ReadAsync(caller.TenantId, ct),
            await parked.CountsAsync(caller.TenantId, ct));
    }

    private string Printable(string? value, string field, int max)
    {
        if (string.IsNullOrEmpty(value) || value.Length > max || value.Any(char.IsControl) || value.Trim().Length != value.Length)
            throw provider.Errors.Invalid($"{field} must be 1 to {max} printable characters without surrounding spaces");
        return value;
    }
}
