using HrmsAttendance.Contracts.Messages.V1;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Connectors.Pipeline;

/// <summary>
/// Replays a platform user id's parked punches when identity-mapping links it (ExternalIdentityLinked), for this
/// connector's provider only. Idempotent (see <see cref="PunchPipeline.ReplayAsync"/>); a failure throws and the bus
/// retries, then moves the message to the error queue (the punches stay parked, never lost).
/// </summary>
public sealed partial class ParkedPunchReplay(PunchPipeline pipeline, ILogger<ParkedPunchReplay> logger) : IConsumer<ExternalIdentityLinked>
{
    public async Task Consume(ConsumeContext<ExternalIdentityLinked> context)
    {
        var linked = context.Message;
        if (!string.Equals(linked.Provider, pipeline.Provider.Name, StringComparison.Ordinal)) return;
        var replayed = await pipeline.ReplayAsync(linked.TenantId, linked.ExternalUserId, context.CancellationToken);
        Log.Linked(logger, linked.Provider, linked.TenantId, replayed);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "ExternalIdentityLinked ({Provider}) of tenant {Tenant}: replayed {Count} parked punches")]
        public static partial void Linked(ILogger logger, string provider, Guid tenant, int count);
    }
}
