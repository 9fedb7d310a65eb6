using Grpc.Core;
using HrmsAttendance.Connectors.Integration;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.DingTalkConnector.Monitoring;
using HrmsAttendance.TokenAuthentication;
using static HrmsAttendance.Connectors.Integration.IntegrationWire;
using Status = HrmsAttendance.Contracts.Integrations.DingTalk.V1.Status;

namespace HrmsAttendance.DingTalkConnector.Grpc;

/// <summary>attendance.integrations.dingtalk.v1.DingTalkIntegration: the tenant's settings and its stream's status.</summary>
public sealed class DingTalkIntegrationService(IntegrationFacade<StreamStatus> facade) : DingTalkIntegration.DingTalkIntegrationBase
{
    public override async Task<Settings> PutSettings(PutSettingsRequest request, ServerCallContext context) =>
        SettingsMessage<Settings>(await facade.PutAsync(context.Caller(), request.ClientId, request.ClientSecret, request.Enabled, context.CancellationToken));

    public override async Task<Settings> GetSettings(GetSettingsRequest request, ServerCallContext context) =>
        SettingsMessage<Settings>(await facade.GetAsync(context.Caller(), context.CancellationToken));

    public override async Task<Status> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var current = await facade.StatusAsync(context.Caller(), context.CancellationToken);
        var status = StatusMessage<Status, StreamStatus>(current);
        if (current.Consumer is { } stream)
        {
            status.State = stream.State;
            status.Holder = stream.Holder;
            status.FencingToken = stream.FencingToken;
            status.ConnectedAt = Time(stream.ConnectedAt);
            status.LastEventAt = Time(stream.LastEventAt);
            status.LastEventId = stream.LastEventId;
            status.EventsAcknowledged = stream.EventsAcknowledged;
            status.EventsDeferred = stream.EventsDeferred;
            status.Reconnects = stream.Reconnects;
            status.LastError = stream.LastError;
            status.LastErrorAt = Time(stream.LastErrorAt);
        }
        return status;
    }
}
