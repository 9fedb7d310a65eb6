using HrmsAttendance.Contracts.Messages.V1;
using MassTransit;

namespace HrmsAttendance.Connectors.Pipeline;

/// <summary>
/// Replays a platform user id's parked punches when identity-mapping links it (ExternalIdentityLinked), for this
/// connector's provider only. Idempotent (see <see cref="PunchPipeline.ReplayAsync"/>); a failure throws and the bus
/// retries, then moves the message to the error queue (the punches stay parked, never lost).
/// </summary>
public sealed class ParkedPunchReplay(PunchPipeline pipeline) : IConsumer<ExternalIdentityLinked>
{
    public async Task Consume(ConsumeContext<ExternalIdentityLinked> context)
    {
        var linked = context.Message;
        if (!string.Equals(linked.Provider, pipeline.Provider.Name, StringComparison.Ordinal)) return;
        await pipeline.ReplayAsync(linked.TenantId, linked.ExternalUserId, context.CancellationToken);
    }
}
