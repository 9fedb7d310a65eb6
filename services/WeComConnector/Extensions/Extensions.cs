using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Polling;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.WeComConnector.Api;
using HrmsAttendance.WeComConnector.Polling;
using IdentityDirectoryClient = HrmsAttendance.Contracts.Identity.V1.IdentityDirectory.IdentityDirectoryClient;

namespace HrmsAttendance.WeComConnector.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // parse → ResolveIdentities → SubmitPunches or park; replay on ExternalIdentityLinked (libs/Connectors).
        builder.AddConnectorPipeline(ConnectorProvider.WeCom);
        // Settings, poll leases, the poll cursors as status, WECOM_* codes, token checks (libs/Connectors).
        builder.AddConnectorIntegration<PollCursor, PollCursorStore>(ConnectorProvider.WeCom);
        // The tenant's WeCom user ids: its identity links, from identity-mapping's directory.
        builder.Services.AddGrpcClient<IdentityDirectoryClient>(o => o.Address = new Uri(ConnectorExtensions.IdentityMappingAddress));

        builder.Services.Configure<WeComOptions>(builder.Configuration.GetSection(ConnectorProvider.WeCom.SettingsSection));
        builder.Services.AddHttpClient<WeComApi>();
        builder.Services.AddSingleton<WeComClient>();
        builder.Services.AddSingleton<PollCursorStore>();
        builder.Services.AddSingleton<TenantPoller>();
        builder.Services.AddHostedService<PollSupervisor>();
        builder.Services.AddServiceActivitySource(TenantPoller.ActivitySource.Name);
    }
}
