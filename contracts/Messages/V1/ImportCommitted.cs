using MassTransit;

namespace HrmsAttendance.Contracts.Messages.V1;

/// <summary>
/// The punch ledger finished committing an attendance import: every valid row went through the batch door (the punches
/// themselves were announced as PunchRecorded, the changed days as DailyResultChanged, before this message).
/// </summary>
[MessageUrn("hrms-attendance:ledger:v1:ImportCommitted")]
[EntityName("attendance.ledger.v1.import-committed")]
public sealed record ImportCommitted : IAttendanceMessage
{
    public required Guid MessageId { get; init; }
    public required Guid TenantId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required long Sequence { get; init; }
    public required int Position { get; init; }
    public string? TraceParent { get; init; }

    public required Guid ImportId { get; init; }
    /// <summary>csv or dingtalk.</summary>
    public required string Format { get; init; }
    public string? FileName { get; init; }
    public required string FileSha256 { get; init; }
    public string? IdempotencyKey { get; init; }
    /// <summary>Who asked for the commit (the token's principal).</summary>
    public required string CommittedBy { get; init; }
    public required DateTimeOffset CommittedAt { get; init; }

    public required int RowsRead { get; init; }
    public required int RowsInvalid { get; init; }
    public required int RowsAccepted { get; init; }
    public required int RowsDuplicate { get; init; }
    public required int RowsRejected { get; init; }

    /// <summary>The persons whose punches were recorded, and the work dates whose results the commit may have changed (none when nothing was accepted).</summary>
    public required int Persons { get; init; }
    public DateOnly? FromDate { get; init; }
    public DateOnly? ToDate { get; init; }
}
