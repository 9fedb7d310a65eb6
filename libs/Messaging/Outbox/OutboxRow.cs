using System.Text.Json;

namespace HrmsAttendance.Messaging.Outbox;

/// <summary>One message of a claimed outbox row, as <c>&lt;schema&gt;.claim_outbox_messages</c> spells it out.</summary>
public sealed record OutboxMessage(
    long OutboxId, int Position, Guid TenantId, string MessageType, JsonElement Payload, string? TraceParent,
    DateTimeOffset CreatedAt);

/// <summary>
/// Turns a service's outbox messages into its bus contracts (<c>HrmsAttendance.Contracts.Messages.V1</c>). A type it
/// does not know is an error the relay stops on: publishing nothing is better than skipping a change.
/// </summary>
public interface IOutboxMessageFactory
{
    object Create(OutboxMessage message, Guid messageId);
}
