using HrmsAttendance.Connectors;
using HrmsAttendance.DingTalkConnector.Grpc;
using HrmsAttendance.Connectors.Leases;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.DingTalkConnector.Monitoring;
using HrmsAttendance.DingTalkConnector.Stream;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.DingTalkConnector.Extensions;

internal static class Extensions
{
    /// <summary>The Redis of the stream leases and the status (<c>ConnectionStrings__redis</c>).</summary>
    public const string RedisName = "redis";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // parse → ResolveIdentities → SubmitPunches or park; replay on ExternalIdentityLinked (libs/Connectors).
        builder.AddConnectorPipeline(ConnectorProvider.DingTalk);

        builder.RequireConnectionStringPassword(RedisName, connectionString => StackExchange.Redis.ConfigurationOptions.Parse(connectionString).Password);
        builder.AddRedisClient(RedisName);
        builder.Services.Configure<DingTalkOptions>(builder.Configuration.GetSection(DingTalkOptions.SectionName));
        builder.Services.AddHttpClient<DingTalkOpenApi>();
        builder.Services.AddSingleton(SettingsProtector.FromConfiguration(builder.Configuration, DingTalkOptions.SectionName));
        builder.Services.AddSingleton<IntegrationSettingsStore>();
        builder.Services.AddSingleton<TenantLease>();
        builder.Services.AddSingleton<StreamStatusStore>();
        builder.Services.AddSingleton<TenantStream>();
        builder.Services.AddSingleton<StreamSupervisor>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<StreamSupervisor>());

        builder.Services.AddSingleton<IntegrationFacade>();
        builder.Services.AddGrpcServiceDefaults(DingTalkErrors.Statuses);
        builder.AddServiceAuthentication(DingTalkErrors.TokenRefusals);
    }
}
