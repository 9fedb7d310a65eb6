using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Extensions;

/// <summary>
/// The key a connector encrypts its tenants' platform secrets with (<c>DingTalk__SettingsKey</c>): in a local run, 32
/// random bytes kept in <c>&lt;data-dir&gt;/secrets/&lt;name&gt;</c> (mode 600; <c>--fresh</c> makes a new one, and the
/// settings stored with the old one must be put again); published, a secret parameter without a default.
/// </summary>
public static class ConnectorSecrets
{
    public static IResourceBuilder<ParameterResource> AddConnectorSettingsKey(this IDistributedApplicationBuilder builder, string name)
    {
        if (!builder.ExecutionContext.IsRunMode)
            return builder.AddParameter(name, secret: true);
        var keyPath = Path.Combine(builder.DataDirectory(), "secrets", name);
        if (bool.TryParse(builder.Configuration[AppHostOptions.FreshKey], out var fresh) && fresh && File.Exists(keyPath))
            File.Delete(keyPath);
        // Same shape as the token signing key: 32 random bytes, base64, created once per data directory.
        return builder.AddParameter(name, () => Convert.ToBase64String(DevelopmentSigningKey.LoadOrCreate(keyPath)), secret: true);
    }
}
