using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Leases;
using HrmsAttendance.Connectors.Polling;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using HrmsAttendance.WeComConnector.Api;
using HrmsAttendance.WeComConnector.Grpc;
using HrmsAttendance.WeComConnector.Polling;
using IdentityDirectoryClient = HrmsAttendance.Contracts.Identity.V1.IdentityDirectory.IdentityDirectoryClient;

namespace HrmsAttendance.WeComConnector.Extensions;

internal static class Extensions
{
    /// <summary>The Redis of the poll leases, the shared access_tokens and the corp's call bucket (<c>ConnectionStrings__redis</c>).</summary>
    public const string RedisName = "redis";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // parse → ResolveIdentities → SubmitPunches or park; replay on ExternalIdentityLinked (libs/Connectors).
        builder.AddConnectorPipeline(ConnectorProvider.WeCom);
        // The tenant's WeCom user ids: its identity links, from identity-mapping's directory.
        builder.Services.AddGrpcClient<IdentityDirectoryClient>(o => o.Address = new Uri(ConnectorExtensions.IdentityMappingAddress));

        builder.RequireConnectionStringPassword(RedisName, connectionString => StackExchange.Redis.ConfigurationOptions.Parse(connectionString).Password);
        builder.AddRedisClient(RedisName);
        builder.Services.Configure<WeComOptions>(builder.Configuration.GetSection(WeComOptions.SectionName));
        builder.Services.AddHttpClient<WeComApi>();
        builder.Services.AddSingleton<WeComClient>();
        builder.Services.AddSingleton(SettingsProtector.FromConfiguration(builder.Configuration, WeComOptions.SectionName));
        builder.Services.AddSingleton<IntegrationSettingsStore>();
        builder.Services.AddSingleton<PollCursorStore>();
        builder.Services.AddSingleton<TenantLease>();
        builder.Services.AddSingleton<TenantPoller>();
        builder.Services.AddHostedService<PollSupervisor>();
        builder.Services.AddServiceActivitySource(TenantPoller.ActivitySource.Name);

        builder.Services.AddSingleton<IntegrationFacade>();
        builder.Services.AddGrpcServiceDefaults(WeComErrors.Statuses);
        builder.AddServiceAuthentication(WeComErrors.TokenRefusals);
    }
}
