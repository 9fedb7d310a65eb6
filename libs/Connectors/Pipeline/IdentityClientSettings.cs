using HrmsAttendance.TokenAuthentication;
using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.Connectors.Pipeline;

/// <summary>
/// The connector's service client at the identity service, whose tokens it sends to identity-mapping and punch-ledger:
/// the issuer (<c>Authentication:Oidc:Authority</c>, the one the services accept tokens of), and section
/// <c>Connectors:ServiceClient</c>: <c>ClientId</c> (default: the connector's resource name) and <c>Secret</c>, which has
/// no default anywhere (the AppHost generates one per start and hands it to identity and to the connector).
/// </summary>
public sealed record IdentityClientSettings(Uri Issuer, string ClientId, string Secret)
{
    public const string Section = "Connectors:ServiceClient";

    public static IdentityClientSettings FromConfiguration(IConfiguration configuration, ConnectorProvider provider)
    {
        var issuer = OidcIssuer.FromConfiguration(configuration.GetSection(OidcIssuer.ConfigurationSection))
            ?? throw new InvalidOperationException(
                $"Configuration {OidcIssuer.ConfigurationSection}:Authority (environment variable Authentication__Oidc__Authority) is missing: " +
                "the connector gets its service tokens from the identity service there.");
        var section = configuration.GetSection(Section);
        var secret = section["Secret"];
        if (string.IsNullOrWhiteSpace(secret))
            throw new InvalidOperationException(
                $"Configuration {Section}:Secret (environment variable Connectors__ServiceClient__Secret) is missing: the secret of the connector's service client at identity.");
        var clientId = section["ClientId"] is { Length: > 0 } id && !string.IsNullOrWhiteSpace(id) ? id.Trim() : provider.ServiceName;
        return new IdentityClientSettings(new Uri(issuer.Issuer, UriKind.Absolute), clientId, secret);
    }
}
