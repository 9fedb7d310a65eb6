namespace HrmsAttendance.Messaging.Outbox;

/// <summary>
/// Wakes this process's outbox relay when the service committed a write that produced outbox rows, so its
/// notifications leave at once instead of at the relay's next poll (<see cref="OutboxRelayOptions.IdleDelay"/>), which
/// still finds the rows other replicas wrote.
/// </summary>
public sealed class OutboxSignal : WakeSignal;
