using MassTransit;

namespace HrmsAttendance.Contracts.Messages.V1;

/// <summary>The punch ledger recorded a new punch event (a retry of a recorded request_id announces nothing).</summary>
[MessageUrn("hrms-attendance:ledger:v1:PunchRecorded")]
[EntityName("attendance.ledger.v1.punch-recorded")]
public sealed record PunchRecorded : IAttendanceMessage
{
    public required Guid MessageId { get; init; }
    public required Guid TenantId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required long Sequence { get; init; }
    public required int Position { get; init; }
    public string? TraceParent { get; init; }

    /// <summary>The event's id (as SubmitPunch answered it) and its ledger sequence.</summary>
    public required Guid EventId { get; init; }
    public required long EventSequence { get; init; }
    public required Guid PersonUuid { get; init; }
    public required DateTimeOffset PunchTime { get; init; }
    /// <summary>The local (Asia/Shanghai) date of the punch.</summary>
    public required DateOnly WorkDate { get; init; }
    /// <summary>IN, OUT or RAW.</summary>
    public required string PunchType { get; init; }
    public required string SourceProvider { get; init; }
    public string? SourceEventId { get; init; }
    public required string RequestId { get; init; }
}
