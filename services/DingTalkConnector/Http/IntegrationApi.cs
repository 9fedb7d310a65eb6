using HrmsAttendance.Connectors.Integration;
using HrmsAttendance.DingTalkConnector.Monitoring;

namespace HrmsAttendance.DingTalkConnector.Http;

/// <summary>
/// <c>GET /api/integrations/dingtalk/status</c> (the settings without the secret, the stream, the parked punches) and
/// <c>PUT /api/integrations/dingtalk/settings</c> (<c>{client_id, client_secret, enabled}</c>): libs/Connectors'
/// <see cref="Connectors.Integration.IntegrationApi"/> with the stream's status.
/// </summary>
public static class IntegrationApi
{
    public static IEndpointRouteBuilder MapIntegrationApi(this IEndpointRouteBuilder app) =>
        app.MapConnectorIntegrationApi<StreamStatus>("stream");
}
