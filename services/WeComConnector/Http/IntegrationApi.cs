using HrmsAttendance.Connectors.Integration;
using HrmsAttendance.Connectors.Polling;

namespace HrmsAttendance.WeComConnector.Http;

/// <summary>
/// <c>GET /api/integrations/wecom/status</c> (the settings without the secret, the poll cursor and last poll, the parked
/// punches) and <c>PUT /api/integrations/wecom/settings</c> (<c>{corp_id, corp_secret, enabled}</c>): libs/Connectors'
/// <see cref="Connectors.Integration.IntegrationApi"/> with the poll's status.
/// </summary>
public static class IntegrationApi
{
    public static IEndpointRouteBuilder MapIntegrationApi(this IEndpointRouteBuilder app) =>
        app.MapConnectorIntegrationApi<PollCursor>("poll", c => new
        {
            c.PolledUntil,
            c.LastPollAt,
            c.LastSuccessAt,
            c.LastWindowStart,
            c.LastWindowEnd,
            c.LastRecords,
            c.LastPunches,
            c.LastNoPunchRows,
            c.LastUnreadable,
            c.Polls,
            c.Failures,
            c.LastError,
            c.LastErrorAt,
            c.Holder,
            c.FencingToken,
        });
}
