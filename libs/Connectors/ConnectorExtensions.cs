using HrmsAttendance.Connectors.Integration;
using HrmsAttendance.Connectors.Leases;
using HrmsAttendance.Connectors.Parking;
using HrmsAttendance.Connectors.Pipeline;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.Database;
using HrmsAttendance.Messaging;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenIddict.Client;
using IdentityMappingClient = HrmsAttendance.Contracts.Identity.V1.IdentityMapping.IdentityMappingClient;
using PunchLedgerClient = HrmsAttendance.Contracts.Ledger.V1.PunchLedger.PunchLedgerClient;

namespace HrmsAttendance.Connectors;

public static class ConnectorExtensions
{
    /// <summary>The connection string name: the connector's own NOSUPERUSER NOBYPASSRLS login.</summary>
    public const string DatabaseName = "attendance";

    /// <summary>Service-discovery addresses of the services' gRPC endpoints (Aspire: <c>services__punch-ledger__grpc__0</c>).</summary>
    public const string PunchLedgerAddress = "http://_grpc.punch-ledger";
    public const string IdentityMappingAddress = "http://_grpc.identity-mapping";

    /// <summary>
    /// The shared pipeline for <paramref name="provider"/>: its database pool (own login), the gRPC clients of
    /// identity-mapping and punch-ledger through Grpc.Net.ClientFactory (service discovery and, from ServiceDefaults, the
    /// standard resilience handler: the calls are idempotent, except the one that counts parked punches, which has a
    /// client without it), the service tokens from identity, the parked punches, and the bus with the replay consumer on a queue of
    /// the connector's own (so two connectors never take each other's link messages).
    /// </summary>
    public static IHostApplicationBuilder AddConnectorPipeline(this IHostApplicationBuilder builder, ConnectorProvider provider,
        Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        builder.AddServiceDataSource(DatabaseName);
        builder.Services.AddSingleton(provider);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddServiceTokenClient(provider);
        builder.Services.AddSingleton<ConnectorCalls>();
        builder.Services.AddSingleton<ConnectorMetrics>();
        builder.Services.AddSingleton<ParkedPunchStore>();
        builder.Services.AddSingleton<PunchPipeline>();
        builder.Services.Configure<ParkedPunchSweepOptions>(builder.Configuration.GetSection(ParkedPunchSweepOptions.SectionName));
        builder.Services.AddHostedService<ParkedPunchSweep>();
        builder.Services.AddServiceActivitySource(PunchPipeline.ActivitySource.Name);
        builder.Services.AddServiceActivitySource(ConnectorMetrics.MeterName);

        builder.Services.AddGrpcClient<PunchLedgerClient>(o => o.Address = new Uri(PunchLedgerAddress));
        builder.Services.AddGrpcClient<IdentityMappingClient>(o => o.Address = new Uri(IdentityMappingAddress));
        // RemoveAllResilienceHandlers is marked experimental (EXTEXP0001); it is the served package's way to take the
        // handler ServiceDefaults adds to every HttpClient off one client.
#pragma warning disable EXTEXP0001
        builder.Services.AddGrpcClient<IdentityMappingClient>(UnretriedClientName, o => o.Address = new Uri(IdentityMappingAddress))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton(provider => new UnretriedIdentityMappingClient(
            provider.GetRequiredService<Grpc.Net.ClientFactory.GrpcClientFactory>().CreateClient<IdentityMappingClient>(UnretriedClientName)));

        builder.AddMessageBus(bus =>
        {
            bus.AddConsumer<ParkedPunchReplay>().Endpoint(endpoint => endpoint.Name = $"{provider.ServiceName}-parked-punch-replay");
            configureBus?.Invoke(bus);
        });
        return builder;
    }

    /// <summary>The Redis of the leases, statuses and caches (<c>ConnectionStrings__redis</c>; never authoritative).</summary>
    public const string RedisName = "redis";

    /// <summary>
    /// What <paramref name="provider"/>'s connector shows and takes from the tenant's admins, and what lets one replica
    /// consume a tenant at a time: Redis (password required outside Development) and the tenant leases, the settings
    /// (secrets encrypted with the key <c>&lt;section&gt;:SettingsKey</c>), the settings/status facade over
    /// <typeparamref name="TConsumer"/> (read from <typeparamref name="TSource"/>, which the caller registers), the gRPC
    /// defaults with the provider's stable codes, and the token check of every call.
    /// </summary>
    public static IHostApplicationBuilder AddConnectorIntegration<TConsumer, TSource>(this IHostApplicationBuilder builder, ConnectorProvider provider)
        where TConsumer : class
        where TSource : class, IConsumerStatusSource<TConsumer>
    {
        builder.RequireConnectionStringPassword(RedisName, connectionString => StackExchange.Redis.ConfigurationOptions.Parse(connectionString).Password);
        builder.AddRedisClient(RedisName);
        builder.Services.AddSingleton(SettingsProtector.FromConfiguration(builder.Configuration, provider.SettingsSection));
        builder.Services.AddSingleton<IntegrationSettingsStore>();
        builder.Services.AddSingleton<TenantLease>();
        builder.Services.AddSingleton<IConsumerStatusSource<TConsumer>>(services => services.GetRequiredService<TSource>());
        builder.Services.AddSingleton<IntegrationFacade<TConsumer>>();
        builder.Services.AddGrpcServiceDefaults(provider.Errors.Statuses);
        builder.AddServiceAuthentication(provider.Errors.TokenRefusals);
        return builder;
    }

    private const string UnretriedClientName = "identity-mapping-unretried";

    /// <summary>
    /// OpenIddict's client, for client credentials only, registered with identity (the issuer the services accept tokens
    /// of) as the connector's service client. Nothing it makes is stored: no state tokens (no browser flow), and the
    /// access tokens are cached by <see cref="ConnectorCalls"/>.
    /// </summary>
    private static void AddServiceTokenClient(this IHostApplicationBuilder builder, ConnectorProvider provider)
    {
        var settings = IdentityClientSettings.FromConfiguration(builder.Configuration, provider);
        builder.Services.AddOpenIddict().AddClient(options =>
        {
            options.AllowClientCredentialsFlow();
            options.DisableTokenStorage();
            options.UseSystemNetHttp().SetProductInformation(typeof(ConnectorCalls).Assembly);
            options.AddRegistration(new OpenIddictClientRegistration
            {
                Issuer = settings.Issuer,
                ClientId = settings.ClientId,
                ClientSecret = settings.Secret,
            });
        });
    }
}
