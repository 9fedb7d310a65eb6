using UUIDNext;

namespace HrmsAttendance.Messaging.Outbox;

/// <summary>
/// A message's id, derived from where it sits in its source's outbox (a name-based UUID, RFC 9562 version 5), so a
/// redelivery, or the same row published again by another relay after a crash, carries the same id.
/// </summary>
public static class MessageIds
{
    private static readonly Guid Namespace = new("5b0f3e55-8d1c-4f0e-9a57-0c6a1f1e2b71");

    public static Guid For(string source, long outboxId, int position) =>
        Uuid.NewNameBased(Namespace, $"{source}/{outboxId}/{position}");
}
