namespace HrmsAttendance.Web.Authentication;

/// <summary>Bound from <c>Authentication:Oidc</c>: the identity service (issuer) and this app's client there.</summary>
public sealed class OidcSettings
{
    public const string SectionName = "Authentication:Oidc";

    /// <summary>The issuer, identity's http URL (the AppHost passes <c>Authentication__Oidc__Authority</c>).</summary>
    public string? Authority { get; set; }

    public string ClientId { get; set; } = "hrms-web";

    /// <summary>No default: the AppHost generates it (<c>web-oidc-client-secret</c>) and hands it to identity and to this app.</summary>
    public string? ClientSecret { get; set; }

    public string Scopes { get; set; } = "openid profile roles offline_access hrms-api";

    /// <summary>The session's access token is renewed with the refresh token when it has less than this left.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(5);
}
