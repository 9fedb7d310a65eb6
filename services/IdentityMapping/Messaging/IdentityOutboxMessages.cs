using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Messaging.Outbox;

namespace HrmsAttendance.IdentityMapping.Messaging;

/// <summary>
/// identity-mapping's outbox messages (<c>person.outbox</c>, written by the links' triggers in migration 0008 and
/// claimed by <c>person.claim_outbox_messages</c>) as the bus contracts <see cref="ExternalIdentityLinked"/> and
/// <see cref="ExternalIdentityUnlinked"/>. One message per outbox row.
/// </summary>
public sealed class IdentityOutboxMessages : IOutboxMessageFactory
{
    public const string Schema = "person";
    public const string Source = "identity-mapping";

    public object Create(OutboxMessage message, Guid messageId)
    {
        var payload = message.Payload;
        var provider = payload.GetProperty("provider").GetString()!;
        var externalUserId = payload.GetProperty("external_user_id").GetString()!;
        var person = payload.GetProperty("person_uuid").GetGuid();
        return message.MessageType switch
        {
            nameof(ExternalIdentityLinked) => new ExternalIdentityLinked
            {
                MessageId = messageId,
                TenantId = message.TenantId,
                OccurredAt = message.CreatedAt,
                Sequence = message.OutboxId,
                Position = message.Position,
                TraceParent = message.TraceParent,
                Provider = provider,
                ExternalUserId = externalUserId,
                PersonUuid = person,
            },
            nameof(ExternalIdentityUnlinked) => new ExternalIdentityUnlinked
            {
                MessageId = messageId,
                TenantId = message.TenantId,
                OccurredAt = message.CreatedAt,
                Sequence = message.OutboxId,
                Position = message.Position,
                TraceParent = message.TraceParent,
                Provider = provider,
                ExternalUserId = externalUserId,
                PersonUuid = person,
            },
            _ => throw new InvalidOperationException(
                $"Outbox row {message.OutboxId} holds a message of type '{message.MessageType}', which identity-mapping does not publish."),
        };
    }
}
