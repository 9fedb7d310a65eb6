using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.TokenAuthentication;
using IntegrationSettings = HrmsAttendance.Connectors.Settings.IntegrationSettings;
using Status = HrmsAttendance.Contracts.Integrations.DingTalk.V1.Status;
using WireSettings = HrmsAttendance.Contracts.Integrations.DingTalk.V1.Settings;

namespace HrmsAttendance.DingTalkConnector.Grpc;

/// <summary>attendance.integrations.dingtalk.v1.DingTalkIntegration: the tenant's settings and its stream's status.</summary>
public sealed class DingTalkIntegrationService(IntegrationFacade facade) : DingTalkIntegration.DingTalkIntegrationBase
{
    public override async Task<WireSettings> PutSettings(PutSettingsRequest request, ServerCallContext context) =>
        ToWire(await facade.PutAsync(context.Caller(), request.ClientId, request.ClientSecret, request.Enabled, context.CancellationToken));

    public override async Task<WireSettings> GetSettings(GetSettingsRequest request, ServerCallContext context) =>
        ToWire(await facade.GetAsync(context.Caller(), context.CancellationToken));

    public override async Task<Status> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var (settings, stream, punches) = await facade.StatusAsync(context.Caller(), context.CancellationToken);
        var status = new Status
        {
            Configured = settings is not null,
            Enabled = settings?.Enabled ?? false,
            ParkedPunches = punches["PARKED"],
            ReplayedPunches = punches["REPLAYED"],
            RejectedPunches = punches["REJECTED"],
        };
        if (stream is not null)
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

    private static Timestamp? Time(DateTimeOffset? at) => at is { } t ? Timestamp.FromDateTimeOffset(t) : null;

    private static WireSettings ToWire(IntegrationSettings s) => new()
    {
        ClientId = s.ClientId,
        Enabled = s.Enabled,
        ClientSecretSet = s.ProtectedSecret.Length > 0,
        UpdatedAt = Timestamp.FromDateTimeOffset(s.UpdatedAt),
        UpdatedBy = s.UpdatedBy,
    };
}
