using Grpc.Core;
using HrmsAttendance.Connectors.Integration;
using HrmsAttendance.Connectors.Polling;
using HrmsAttendance.Contracts.Integrations.WeCom.V1;
using HrmsAttendance.TokenAuthentication;
using static HrmsAttendance.Connectors.Integration.IntegrationWire;
using Status = HrmsAttendance.Contracts.Integrations.WeCom.V1.Status;

namespace HrmsAttendance.WeComConnector.Grpc;

/// <summary>attendance.integrations.wecom.v1.WeComIntegration: the tenant's settings and its poller's status.</summary>
public sealed class WeComIntegrationService(IntegrationFacade<PollCursor> facade) : WeComIntegration.WeComIntegrationBase
{
    public override async Task<Settings> PutSettings(PutSettingsRequest request, ServerCallContext context) =>
        SettingsMessage<Settings>(await facade.PutAsync(context.Caller(), request.CorpId, request.CorpSecret, request.Enabled, context.CancellationToken));

    public override async Task<Settings> GetSettings(GetSettingsRequest request, ServerCallContext context) =>
        SettingsMessage<Settings>(await facade.GetAsync(context.Caller(), context.CancellationToken));

    public override async Task<Status> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var current = await facade.StatusAsync(context.Caller(), context.CancellationToken);
        var status = StatusMessage<Status, PollCursor>(current);
        if (current.Consumer is { } cursor)
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
}
