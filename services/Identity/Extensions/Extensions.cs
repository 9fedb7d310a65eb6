using HrmsAttendance.Database;
using HrmsAttendance.Identity.Accounts;
using HrmsAttendance.Identity.Data;
using HrmsAttendance.Identity.Model;
using HrmsAttendance.Identity.SignIn;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static OpenIddict.Abstractions.OpenIddictConstants;
using IdentityMappingClient = HrmsAttendance.Contracts.Identity.V1.IdentityMapping.IdentityMappingClient;

namespace HrmsAttendance.Identity.Extensions;

internal static class Extensions
{
    /// <summary>The connection string name: the service's own NOSUPERUSER NOBYPASSRLS role (identity_app).</summary>
    public const string DatabaseName = "attendance";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var settings = IdentityServerSettings.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(settings);

        builder.AddServiceDataSource(DatabaseName);
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<Passwords>();
        // Lockout after wrong passwords, a rate limit per client address on the sign-in forms.
        builder.AddSignInProtection();
        builder.Services.AddSingleton<UnknownUserLockout>();
        // OpenIddict's stores over the same pool; the tables come from the SQL migrations, never from EF.
        builder.Services.AddDbContext<IdentityDbContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>()).UseOpenIddict());

        builder.AddOpenIdConnectServer(settings);
        builder.Services.AddHostedService<ClientRegistration>();

        // The Accounts API (gRPC) takes bearer tokens like every service; the sign-in pages use the session cookie.
        builder.Services.AddGrpcServiceDefaults(AccountsErrors.Statuses);
        builder.AddServiceAuthentication(AccountsErrors.TokenRefusals);
        builder.Services.AddAuthentication().AddLoginSession();
        builder.Services.AddAntiforgery(options => options.Cookie.Name = "hrms.identity.antiforgery");

        // The AppHost asks for them in a local Development run only (its services run as Production otherwise).
        if (builder.Environment.IsDevelopment() || builder.Configuration.GetValue<bool>(DevelopmentSeed.ConfigurationKey))
        {
            builder.Services.AddGrpcClient<IdentityMappingClient>(o => o.Address = new Uri("http://_grpc.identity-mapping"));
            builder.Services.AddGrpcClient<HrmsAttendance.Contracts.Adjustments.V1.Adjustments.AdjustmentsClient>(o => o.Address = new Uri("http://_grpc.punch-ledger"));
            builder.Services.AddHostedService<DevelopmentSeed>();
        }
    }

    /// <summary>
    /// OpenIddict's server: authorization code + PKCE, refresh tokens, client credentials; access tokens as signed,
    /// unencrypted JWTs (RS256) that the gateway and the services validate from the discovery document's keys.
    /// </summary>
    private static void AddOpenIdConnectServer(this IHostApplicationBuilder builder, IdentityServerSettings settings)
    {
        // Plain HTTP only on a loopback issuer (a local run); anywhere else the issuer must be HTTPS.
        var loopbackHttp = settings.Issuer.Scheme == Uri.UriSchemeHttp && settings.Issuer.IsLoopback;
        if (settings.Issuer.Scheme != Uri.UriSchemeHttps && !loopbackHttp)
            throw new InvalidOperationException($"Identity:Issuer must be https unless it is a loopback address, not '{settings.Issuer}'.");

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>())
            .AddServer(options =>
            {
                options.SetIssuer(settings.Issuer);
                options.SetAuthorizationEndpointUris("connect/authorize")
                       .SetTokenEndpointUris("connect/token")
                       .SetEndSessionEndpointUris("connect/logout");

                options.AllowAuthorizationCodeFlow()
                       .RequireProofKeyForCodeExchange()
                       .AllowRefreshTokenFlow()
                       .AllowClientCredentialsFlow();
                options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess, TokenClaims.ApiScope);

                options.AddSigningKey(settings.SigningKey)
                       .AddEncryptionKey(settings.EncryptionKey);
                // The gateway and the services read access tokens themselves: signed, not encrypted.
                options.DisableAccessTokenEncryption();
                options.SetAccessTokenLifetime(TimeSpan.FromMinutes(30));

                var aspNetCore = options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (loopbackHttp)
                    aspNetCore.DisableTransportSecurityRequirement();
            });
    }
}
