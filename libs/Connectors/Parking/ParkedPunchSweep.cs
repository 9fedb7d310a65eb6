using HrmsAttendance.Connectors.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.Connectors.Parking;

/// <summary>Bound from <c>Connectors:Sweep</c>.</summary>
public sealed class ParkedPunchSweepOptions
{
    public const string SectionName = "Connectors:Sweep";

    /// <summary>How often every tenant's waiting punches are checked against the links (default 5 minutes).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Runs <see cref="PunchPipeline.SweepAsync"/> for every tenant with waiting punches, every
/// <see cref="ParkedPunchSweepOptions.Interval"/>. Every replica sweeps; that is harmless (replays are idempotent), at
/// worst a punch parked in the same minute is counted twice in the unmapped queue.
/// </summary>
public sealed partial class ParkedPunchSweep(
    PunchPipeline pipeline, ParkedPunchStore parked, TimeProvider time, IOptions<ParkedPunchSweepOptions> options, ILogger<ParkedPunchSweep> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await NextAsync(timer, stoppingToken))
        {
            try
            {
                foreach (var tenant in await parked.TenantsWithWaitingAsync(stoppingToken))
                {
                    var (replayed, reported) = await pipeline.SweepAsync(tenant, time.GetUtcNow(), stoppingToken);
                    if (replayed + reported > 0) Log.Swept(logger, pipeline.Provider.Name, tenant, replayed, reported);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.Failed(logger, pipeline.Provider.Name, e.Message);
            }
        }
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Provider} sweep of tenant {Tenant}: replayed {Replayed} parked punches whose id is linked now, reported {Reported} to the unmapped queue")]
        public static partial void Swept(ILogger logger, string provider, Guid tenant, int replayed, int reported);

        [LoggerMessage(2, LogLevel.Warning, "{Provider} sweep of parked punches failed: {Reason}; trying again next interval")]
        public static partial void Failed(ILogger logger, string provider, string reason);
    }
}
