using MassTransit;
using System.Text.Json;

namespace HrmsAttendance.Messaging.Outbox;

/// <summary>One message of a claimed outbox row, as <c>&lt;schema&gt;.claim_outbox_messages</c> spells it out.</summary>
public sealed record OutboxMessage(
    long OutboxId, int Position, Guid TenantId, string MessageType, JsonElement Payload, string? TraceParent,
    DateTimeOffset CreatedAt);

/// <summary>
/// Turns a service's outbox messages into its bus contracts (<c>HrmsAttendance.Contracts.Messages.V1</c>). A type it
/// does not know is an error the relay stops on: publishing nothing is better than skipping a change. The relay calls it
/// as it reads the claimed rows and disposes the payload's document right after: a contract must copy what it needs
/// (strings, numbers), never keep a <see cref="JsonElement"/> of the payload.
/// </summary>
public interface IOutboxMessageFactory
{
    object Create(OutboxMessage message, Guid messageId);
}

/// <summary>Where the relay publishes: the bus (<see cref="BusOutboxPublisher"/>); returns once the broker confirmed.</summary>
public interface IOutboxPublisher
{
    Task PublishAsync(object message, Guid messageId, CancellationToken ct);
}

/// <summary>MassTransit's publish, with the message id the relay derived (publisher confirms are the transport's default).</summary>
public sealed class BusOutboxPublisher(IBus bus) : IOutboxPublisher
{
    public Task PublishAsync(object message, Guid messageId, CancellationToken ct) =>
        bus.Publish(message, message.GetType(), context => context.MessageId = messageId, ct);
}
