using MassTransit;

namespace HrmsAttendance.Contracts.Messages.V1;

/// <summary>
/// A person's daily result changed (status, flags, minutes or in/out times; seed 004's rules), in the transaction that
/// recorded the punch. The input watermark says which punches the new result counts: a consumer that sees two changes
/// of one day keeps the one with the larger <see cref="InputMaxPunchEventSequence"/>.
/// </summary>
[MessageUrn("hrms-attendance:ledger:v1:DailyResultChanged")]
[EntityName("attendance.ledger.v1.daily-result-changed")]
public sealed record DailyResultChanged : IAttendanceMessage
{
    public required Guid MessageId { get; init; }
    public required Guid TenantId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required long Sequence { get; init; }
    public required int Position { get; init; }
    public string? TraceParent { get; init; }

    public required Guid PersonUuid { get; init; }
    public required DateOnly WorkDate { get; init; }
    /// <summary>PRESENT, ABSENT or EXCEPTION.</summary>
    public required string Status { get; init; }
    /// <summary>ABSENT, MISSING_IN, MISSING_OUT, LATE, EARLY_LEAVE; sorted by name.</summary>
    public required IReadOnlyList<string> Flags { get; init; }
    /// <summary>Input watermark: the punches in the day's window the result counts, and the largest ledger sequence among them (0 when none).</summary>
    public required int InputPunchCount { get; init; }
    public required long InputMaxPunchEventSequence { get; init; }
}
