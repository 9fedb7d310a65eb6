using System.Security.Cryptography;
using HrmsAttendance.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>
/// The OpenID Connect server's settings, section <c>Identity</c> (environment <c>Identity__…</c>). Nothing has a
/// default: the AppHost hands every value over in a local run; elsewhere the deployment supplies them, or the service
/// does not start (the exception names the missing key).
/// </summary>
public sealed class IdentityServerSettings
{
    public const string Section = "Identity";

    /// <summary>The issuer: this service's URL as browsers see it (<c>iss</c> of every token, the discovery document's base).</summary>
    public required Uri Issuer { get; init; }

    /// <summary>Signs access and ID tokens (RS256); its public half is published in the JWKS.</summary>
    public required RsaSecurityKey SigningKey { get; init; }

    /// <summary>
    /// Keys that signed before <see cref="SigningKey"/> (<c>Identity:PreviousSigningKeys</c>, base64 PKCS#8, ';'-separated):
    /// published in the JWKS beside it, never used to sign, so tokens they signed stay valid until they expire. A rotation:
    /// the current key moves here, a new one becomes <c>Identity:SigningKey</c>; after the longest token lifetime (refresh
    /// tokens are encrypted, not signed) the old key can go.
    /// </summary>
    public IReadOnlyList<RsaSecurityKey> PreviousSigningKeys { get; init; } = [];

    /// <summary>Encrypts what only this server reads again (authorization codes, refresh tokens): 256-bit AES.</summary>
    public required SymmetricSecurityKey EncryptionKey { get; init; }

    /// <summary>The web app's client (<c>hrms-web</c>): its secret and where it may be sent back to.</summary>
    public required WebClientSettings WebClient { get; init; }

    /// <summary>Client-credentials clients (other systems of one tenant): each acts for its one tenant with role <c>integration</c>.</summary>
    public required IReadOnlyList<IntegrationClientSettings> IntegrationClients { get; init; }

    /// <summary>
    /// Client-credentials clients of the platform itself (the connectors): each acts for any tenant in the directory,
    /// named per token request (<c>tenant_id</c>), with role <c>integration</c>.
    /// </summary>
    public required IReadOnlyList<ServiceClientSettings> ServiceClients { get; init; }

    public static IdentityServerSettings FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        string Required(string key) => section[key] is { } value && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : throw new InvalidOperationException(
                $"Configuration '{Section}:{key}' is missing (environment variable {Section}__{key.Replace(":", "__", StringComparison.Ordinal)}); the identity service has no default for it.");

        var issuer = Required("Issuer");
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri) || issuerUri.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"Configuration '{Section}:Issuer' must be an absolute http(s) URL, not '{issuer}'.");

        var signingKey = RsaKey(Required("SigningKey"), "SigningKey");
        var previousKeys = (section["PreviousSigningKeys"] ?? "")
            .Split([';', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => RsaKey(text, "PreviousSigningKeys"))
            .ToList();
        if (previousKeys.Any(key => key.KeyId == signingKey.KeyId))
            throw new InvalidOperationException($"Configuration '{Section}:PreviousSigningKeys' holds the current signing key; a previous key is another one.");

        byte[] encryption;
        try { encryption = Convert.FromBase64String(Required("EncryptionKey")); }
        catch (FormatException) { throw new InvalidOperationException($"Configuration '{Section}:EncryptionKey' is not base64."); }
        if (encryption.Length != 32)
            throw new InvalidOperationException($"Configuration '{Section}:EncryptionKey' must be 32 random bytes (base64), not {encryption.Length}.");

        var clients = new List<IntegrationClientSettings>();
        foreach (var client in section.GetSection("IntegrationClients").GetChildren())
        {
            var id = client["ClientId"];
            var secret = client["Secret"];
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(secret) ||
                !Guid.TryParseExact(client["TenantId"], "D", out var tenant) || tenant == Guid.Empty)
                throw new InvalidOperationException(
                    $"Configuration '{client.Path}' needs ClientId, Secret and TenantId (a canonical UUID).");
            clients.Add(new IntegrationClientSettings(id.Trim(), secret, tenant, client["DisplayName"] ?? id.Trim()));
        }

        var serviceClients = new List<ServiceClientSettings>();
        foreach (var client in section.GetSection("ServiceClients").GetChildren())
        {
            var id = client["ClientId"];
            var secret = client["Secret"];
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(secret))
                throw new InvalidOperationException($"Configuration '{client.Path}' needs ClientId and Secret.");
            serviceClients.Add(new ServiceClientSettings(id.Trim(), secret, client["DisplayName"] ?? id.Trim()));
        }
        var duplicate = clients.Select(c => c.ClientId).Concat(serviceClients.Select(c => c.ClientId)).Append(WebClientSettings.ClientId)
            .GroupBy(id => id, StringComparer.Ordinal).FirstOrDefault(ids => ids.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Configuration '{Section}' names client '{duplicate.Key}' more than once.");

        return new IdentityServerSettings
        {
            Issuer = issuerUri,
            SigningKey = signingKey,
            PreviousSigningKeys = previousKeys,
            EncryptionKey = new SymmetricSecurityKey(encryption),
            WebClient = new WebClientSettings(
                Required("WebClient:Secret"),
                ParseUris(Required("WebClient:RedirectUris"), "WebClient:RedirectUris"),
                ParseUris(Required("WebClient:PostLogoutRedirectUris"), "WebClient:PostLogoutRedirectUris")),
            IntegrationClients = clients,
            ServiceClients = serviceClients,
        };
    }

    /// <summary>An RSA private key of at least 2,048 bits; its key id is derived from it, so every replica with the same key publishes the same kid.</summary>
    private static RsaSecurityKey RsaKey(string base64Pkcs8, string key)
    {
        var rsa = RSA.Create();
        try { rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(base64Pkcs8), out _); }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new InvalidOperationException($"Configuration '{Section}:{key}' must hold base64 PKCS#8 RSA private keys.", e);
        }
        if (rsa.KeySize < 2048)
            throw new InvalidOperationException($"Configuration '{Section}:{key}' holds a key of {rsa.KeySize} bits; at least 2048 are needed.");
        return new RsaSecurityKey(rsa) { KeyId = KeyIdOf(rsa) };
    }

    /// <summary>The first 16 characters of the base64url SHA-256 of the public key (SubjectPublicKeyInfo).</summary>
    private static string KeyIdOf(RSA rsa) => Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];

    private static IReadOnlyList<Uri> ParseUris(string value, string key) =>
        value.Split([';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri
                : throw new InvalidOperationException($"Configuration '{Section}:{key}' holds '{text}', which is not an absolute URL."))
            .ToList();
}

/// <param name="RedirectUris">Where the authorization endpoint may send a code (the web app's <c>/signin-oidc</c>), ';'-separated in configuration.</param>
public sealed record WebClientSettings(string Secret, IReadOnlyList<Uri> RedirectUris, IReadOnlyList<Uri> PostLogoutRedirectUris)
{
    public const string ClientId = "hrms-web";
}

/// <summary>A client-credentials client: its tokens say <c>sub</c> = <c>service:&lt;client id&gt;</c>, this tenant, role integration.</summary>
public sealed record IntegrationClientSettings(string ClientId, string Secret, Guid TenantId, string DisplayName)
{
    public static readonly IReadOnlyList<string> Roles = [AccessRoles.Integration];
}

/// <summary>
/// A service client (a connector): its tokens say <c>sub</c> = <c>service:&lt;client id&gt;</c>, role integration, and the
/// tenant its token request names (<c>tenant_id</c>), which must be in the directory.
/// </summary>
public sealed record ServiceClientSettings(string ClientId, string Secret, string DisplayName);
