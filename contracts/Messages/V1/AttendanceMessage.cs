namespace HrmsAttendance.Contracts.Messages.V1;

/// <summary>
/// What every side-effect notification on the bus carries. The services publish them from their outbox (written in
/// the same transaction as the change), at least once: a consumer recognises a redelivery by <see cref="MessageId"/>,
/// which is derived from the outbox row and the message's position in it, so every delivery of the same change has it.
/// Notifications never write an authoritative table (seed 001 §2.2); the gRPC doors do.
/// </summary>
public interface IAttendanceMessage
{
    /// <summary>Stable per change: the same on every redelivery and from every relay.</summary>
    Guid MessageId { get; }

    Guid TenantId { get; }

    /// <summary>When the change was committed (the outbox row's time).</summary>
    DateTimeOffset OccurredAt { get; }

    /// <summary>
    /// Where the change sits in its source's outbox: the row's sequence, then the message's position in the row.
    /// Increasing in write order per source; a change stream resumes after a (sequence, position).
    /// </summary>
    long Sequence { get; }

    int Position { get; }

    /// <summary>The W3C traceparent of the request that made the change, when it had one.</summary>
    string? TraceParent { get; }
}
