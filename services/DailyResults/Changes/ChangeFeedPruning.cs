using HrmsAttendance.DailyResults.Data;

namespace HrmsAttendance.DailyResults.Changes;

/// <summary>Deletes changes older than the retention (7 days) once an hour; a watch resuming before them is told so.</summary>
public sealed partial class ChangeFeedPruning(ChangeFeedStore store, TimeProvider clock, ILogger<ChangeFeedPruning> logger) : BackgroundService
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pruned = await store.PruneAsync(clock.GetUtcNow() - Retention, stoppingToken);
                if (pruned > 0) LogPruned(logger, pruned);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
            await Task.Delay(Interval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Changes} daily result changes older than the retention")]
    private static partial void LogPruned(ILogger logger, int changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the daily result change feed failed; next try in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
