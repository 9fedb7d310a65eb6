using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>
/// Brings the registered clients to what the configuration says, at every start: the web app (<c>hrms-web</c>:
/// confidential, authorization code + PKCE, refresh tokens, implicit consent) and the client-credentials clients:
/// integration clients (<c>Identity:IntegrationClients</c>, one tenant each) and service clients
/// (<c>Identity:ServiceClients</c>, the tenant named per token request). Secrets are stored hashed by OpenIddict.
/// </summary>
public sealed class ClientRegistration(IServiceProvider services, IdentityServerSettings settings, ILogger<ClientRegistration> logger) : IHostedService
{
    /// <summary>The application property that names an integration client's tenant.</summary>
    public const string TenantProperty = "tenant_id";

    /// <summary>The application property that marks a service client: it acts for the tenant each token request names.</summary>
    public const string AnyTenantProperty = "acts_for_any_tenant";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();

        await EnsureAsync(manager, WebClient(settings.WebClient), cancellationToken);
        foreach (var client in settings.IntegrationClients)
            await EnsureAsync(manager, IntegrationClient(client), cancellationToken);
        foreach (var client in settings.ServiceClients)
            await EnsureAsync(manager, ServiceClient(client), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureAsync(IOpenIddictApplicationManager manager, OpenIddictApplicationDescriptor descriptor, CancellationToken ct)
    {
        if (await manager.FindByClientIdAsync(descriptor.ClientId!, ct) is { } existing)
            await manager.UpdateAsync(existing, descriptor, ct);
        else
            await manager.CreateAsync(descriptor, ct);
        logger.LogInformation("Client {ClientId} registered ({ClientType})", descriptor.ClientId, descriptor.ClientType);
    }

    private static OpenIddictApplicationDescriptor WebClient(WebClientSettings web)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = WebClientSettings.ClientId,
            ClientSecret = web.Secret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "HRMS Attendance",
            DisplayNames = { [new System.Globalization.CultureInfo("zh-CN")] = "HRMS 考勤" },
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile,
                Permissions.Scopes.Roles,
                Permissions.Prefixes.Scope + TokenClaims.ApiScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in web.RedirectUris) descriptor.RedirectUris.Add(uri);
        foreach (var uri in web.PostLogoutRedirectUris) descriptor.PostLogoutRedirectUris.Add(uri);
        return descriptor;
    }

    private static OpenIddictApplicationDescriptor IntegrationClient(IntegrationClientSettings client) =>
        ClientCredentialsClient(client.ClientId, client.Secret, client.DisplayName,
            TenantProperty, JsonSerializer.SerializeToElement(client.TenantId.ToString("D")));

    private static OpenIddictApplicationDescriptor ServiceClient(ServiceClientSettings client) =>
        ClientCredentialsClient(client.ClientId, client.Secret, client.DisplayName, AnyTenantProperty, JsonSerializer.SerializeToElement(true));

    /// <summary>A confidential client of the token endpoint, client credentials and the API scope only; the property says for which tenants it acts.</summary>
    private static OpenIddictApplicationDescriptor ClientCredentialsClient(string clientId, string secret, string displayName,
        string tenantProperty, JsonElement tenantValue) => new()
    {
        ClientId = clientId,
        ClientSecret = secret,
        ClientType = ClientTypes.Confidential,
        DisplayName = displayName,
        Permissions =
        {
            Permissions.Endpoints.Token,
            Permissions.GrantTypes.ClientCredentials,
            Permissions.Prefixes.Scope + TokenClaims.ApiScope,
        },
        Properties = { [tenantProperty] = tenantValue },
    };
}
