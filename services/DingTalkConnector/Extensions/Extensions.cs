using HrmsAttendance.Connectors;
using HrmsAttendance.DingTalkConnector.Monitoring;
using HrmsAttendance.DingTalkConnector.Stream;

namespace HrmsAttendance.DingTalkConnector.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // parse → ResolveIdentities → SubmitPunches or park; replay on ExternalIdentityLinked (libs/Connectors).
        builder.AddConnectorPipeline(ConnectorProvider.DingTalk);
        // Settings, stream leases, the status of the stream (in Redis), DINGTALK_* codes, token checks (libs/Connectors).
        builder.AddConnectorIntegration<StreamStatus, StreamStatusStore>(ConnectorProvider.DingTalk);

        builder.Services.Configure<DingTalkOptions>(builder.Configuration.GetSection(ConnectorProvider.DingTalk.SettingsSection));
        builder.Services.AddHttpClient<DingTalkOpenApi>();
        builder.Services.AddSingleton<StreamStatusStore>();
        builder.Services.AddSingleton<TenantStream>();
        builder.Services.AddSingleton<StreamSupervisor>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<StreamSupervisor>());
    }
}
