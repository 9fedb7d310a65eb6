using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Integrations.WeCom.V1;
using HrmsAttendance.TokenAuthentication;
using IntegrationSettings = HrmsAttendance.Connectors.Settings.IntegrationSettings;
using Status = HrmsAttendance.Contracts.Integrations.WeCom.V1.Status;
using WireSettings = HrmsAttendance.Contracts.Integrations.WeCom.V1.Settings;

namespace HrmsAttendance.WeComConnector.Grpc;

/// <summary>attendance.integrations.wecom.v1.WeComIntegration: the tenant's settings and its poller's status.</summary>
public sealed class WeComIntegrationService(IntegrationFacade facade) : WeComIntegration.WeComIntegrationBase
{
    public override async Task<WireSettings> PutSettings(PutSettingsRequest request, ServerCallContext context) =>
        ToWire(await facade.PutAsync(context.Caller(), request.CorpId, request.CorpSecret, request.Enabled, context.CancellationToken));

    public override async Task<WireSettings> GetSettings(GetSettingsRequest request, ServerCallContext context) =>
        ToWire(await facade.GetAsync(context.Caller(), context.CancellationToken));

    public override async Task<Status> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var (settings, cursor, punches) = await facade.StatusAsync(context.Caller(), context.CancellationToken);
        var status = new Status
        {
            Configured = settings is not null,
            Enabled = settings?.Enabled ?? false,
            ParkedPunches = punches["PARKED"],
            ReplayedPunches = punches["REPLAYED"],
            RejectedPunches = punches["REJECTED"],
        };
        if (cursor is not null)
        {
            status.PolledUntil = Time(cursor.PolledUntil);
            status.LastPollAt = Time(cursor.LastPollAt);
            status.LastSuccessAt = Time(cursor.LastSuccessAt);
            status.LastWindowStart = Time(cursor.LastWindowStart);
            status.LastWindowEnd = Time(cursor.LastWindowEnd);
            status.LastRecords = cursor.LastRecords;
            status.LastPunches = cursor.LastPunches;
            status.LastNoPunchRows = cursor.LastNoPunchRows;
            status.LastUnreadable = cursor.LastUnreadable;
            status.Polls = cursor.Polls;
            status.Failures = cursor.Failures;
            status.LastError = cursor.LastError ?? "";
            status.LastErrorAt = Time(cursor.LastErrorAt);
            status.Holder = cursor.Holder ?? "";
            status.FencingToken = cursor.FencingToken;
        }
        return status;
    }

    private static Timestamp? Time(DateTimeOffset? at) => at is { } t ? Timestamp.FromDateTimeOffset(t) : null;

    private static WireSettings ToWire(IntegrationSettings s) => new()
    {
        CorpId = s.ClientId,
        Enabled = s.Enabled,
        CorpSecretSet = s.ProtectedSecret.Length > 0,
        UpdatedAt = Timestamp.FromDateTimeOffset(s.UpdatedAt),
        UpdatedBy = s.UpdatedBy,
    };
}
