using System.Security.Cryptography;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Extensions;

/// <summary>
/// The sign-in service's (<c>identity</c>) secrets and wiring. In a local run its RSA signing key and its AES
/// encryption key are made once per data directory (<c>&lt;data-dir&gt;/secrets/identity-*</c>, mode 600; <c>--fresh</c>
/// makes new ones), the web client's and the service clients' secrets at every start; published, each is a secret
/// parameter without a default.
/// </summary>
public static class IdentitySecrets
{
    public const string SigningKeyParameter = "identity-signing-key";
    public const string EncryptionKeyParameter = "identity-encryption-key";
    public const string WebClientSecretParameter = "web-oidc-client-secret";
    public const string DemoIntegrationSecretParameter = "demo-integration-client-secret";
    /// <summary>The Development client-credentials client of the demo tenant (role integration).</summary>
    public const string DemoIntegrationClientId = "demo-integration";
    public static readonly Guid DemoTenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");

    /// <summary>Where the gateway and the services find the issuer: <c>Authentication__Oidc__Authority</c>.</summary>
    public const string AuthorityVariable = "Authentication__Oidc__Authority";

    public static IResourceBuilder<ParameterResource> AddIdentitySigningKey(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
            return builder.AddParameter(SigningKeyParameter, secret: true);
        var path = SecretPath(builder, SigningKeyParameter);
        return builder.AddParameter(SigningKeyParameter, () => LoadOrCreateRsaKey(path), secret: true);
    }

    public static IResourceBuilder<ParameterResource> AddIdentityEncryptionKey(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
            return builder.AddParameter(EncryptionKeyParameter, secret: true);
        var path = SecretPath(builder, EncryptionKeyParameter);
        return builder.AddParameter(EncryptionKeyParameter, () => Convert.ToBase64String(DevelopmentSigningKey.LoadOrCreate(path)), secret: true);
    }

    /// <summary>A secret generated at every start in a local run (handed to identity and to the client that uses it).</summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name)
    {
        if (!builder.ExecutionContext.IsRunMode)
            return builder.AddParameter(name, secret: true);
        var value = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        return builder.AddParameter(name, () => value, secret: true);
    }

    /// <summary>The project accepts the issuer's RS256 tokens besides the HS256 ones (libs/TokenAuthentication).</summary>
    public static IResourceBuilder<ProjectResource> WithOidcAuthority(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<ProjectResource> identity) =>
        project.WithEnvironment(AuthorityVariable, identity.GetEndpoint("http"));

    /// <summary>The Development users of the demo tenant (identity's DevelopmentSeed): only a local Development run asks for them.</summary>
    public static IResourceBuilder<ProjectResource> WithDevelopmentUsers(this IResourceBuilder<ProjectResource> identity) =>
        identity.WithEnvironment("Identity__DevelopmentUsers", "true");

    /// <summary>A client-credentials client for one tenant (<c>Identity__IntegrationClients__&lt;n&gt;__…</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithIntegrationClient(this IResourceBuilder<ProjectResource> identity, int index,
        string clientId, Guid tenant, IResourceBuilder<ParameterResource> secret)
    {
        var prefix = $"Identity__IntegrationClients__{index}__";
        return identity.WithEnvironment(prefix + "ClientId", clientId)
                       .WithEnvironment(prefix + "TenantId", tenant.ToString("D"))
                       .WithEnvironment(prefix + "Secret", secret);
    }

    /// <summary>The parameter of a service client's generated secret: <c>&lt;client id&gt;-client-secret</c>.</summary>
    public static string ServiceClientSecretParameter(string clientId) => $"{clientId}-client-secret";

    /// <summary>
    /// The connector gets its tokens from identity as service client <c>&lt;its resource name&gt;</c> (client credentials,
    /// for any tenant in identity's directory, named per token request): a secret generated for it, handed to identity
    /// (<c>Identity__ServiceClients__&lt;n&gt;__…</c>) and to the connector, which waits for identity.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceClient(this IResourceBuilder<ProjectResource> connector,
        IResourceBuilder<ProjectResource> identity, int index)
    {
        var clientId = connector.Resource.Name;
        var secret = connector.ApplicationBuilder.AddGeneratedSecret(ServiceClientSecretParameter(clientId));
        var prefix = $"Identity__ServiceClients__{index}__";
        identity.WithEnvironment(prefix + "ClientId", clientId)
                .WithEnvironment(prefix + "Secret", secret);
        return connector.WithServiceClientCredentials(identity, clientId, secret);
    }

    /// <summary>
    /// The project's service client at identity (<c>Connectors__ServiceClient__*</c>) and where identity is (the
    /// authority: its token endpoint, and the issuer of the tokens it accepts); it starts once identity is up.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceClientCredentials(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<ProjectResource> identity, string clientId, IResourceBuilder<ParameterResource> secret) =>
        project.WithOidcAuthority(identity)
               .WithEnvironment("Connectors__ServiceClient__ClientId", clientId)
               .WithEnvironment("Connectors__ServiceClient__Secret", secret)
               .WaitFor(identity);

    private static string SecretPath(IDistributedApplicationBuilder builder, string name)
    {
        var path = Path.Combine(builder.DataDirectory(), "secrets", name);
        if (bool.TryParse(builder.Configuration[AppHostOptions.FreshKey], out var fresh) && fresh && File.Exists(path))
            File.Delete(path);
        return path;
    }

    /// <summary>A 2048-bit RSA key as base64 PKCS#8, created once (mode 600, moved into place whole) and reused.</summary>
    private static string LoadOrCreateRsaKey(string path)
    {
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var rsa = RSA.Create(2048);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, "");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(temporary, Convert.ToBase64String(rsa.ExportPkcs8PrivateKey()));
            try { File.Move(temporary, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { }
            return File.ReadAllText(path).Trim();
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
