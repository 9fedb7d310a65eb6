using System.Runtime.CompilerServices;
using HrmsAttendance.DailyResults.Data;
using HrmsAttendance.DailyResults.Model;

namespace HrmsAttendance.DailyResults.Changes;

/// <summary>
/// One watcher's view of the change feed, shared by WatchDailyResults and the SSE route: the tenant's changes after a
/// resume point (or from now), matching the filter, in sequence order, until the caller goes away.
/// </summary>
public sealed class ChangeWatcher(ChangeFeedStore store, ChangeFeedSignal signal)
{
    /// <summary>How often a watcher looks for changes another replica stored.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private const int PageSize = 500;

    /// <summary>
    /// Where a watch starts: after <paramref name="resumeAfter"/>, or after the newest change when it is null (from
    /// now). Refuses a resume point the feed has pruned (RESULTS_CHANGES_EXPIRED). Called before anything is sent, so
    /// a refusal is the call's status (gRPC) or a problem response (HTTP).
    /// </summary>
    public async Task<long> StartAfterAsync(Guid tenantId, long? resumeAfter, CancellationToken ct)
    {
        var (newest, prunedThrough) = await ResultsErrors.ReadAsync(() => store.PositionAsync(tenantId, ct));
        if (resumeAfter is { } resume && resume < prunedThrough)
            throw new ResultsException(ResultsErrors.ChangesExpired,
                $"resume_after {resume} is older than the kept changes (pruned through {prunedThrough}); re-read the results and watch from now");
        return resumeAfter ?? newest;
    }

    /// <summary>The tenant's changes after <paramref name="after"/> matching the filter, in sequence order, until cancelled.</summary>
    public async IAsyncEnumerable<DailyResultChangeRow> WatchAsync(Guid tenantId, ChangeFilter filter, long after,
        [EnumeratorCancellation] CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // Armed before the read: a change stored during the read wakes the next wait at once.
            var stored = signal.Next;
            var page = await ResultsErrors.ReadAsync(() => store.ReadAfterAsync(tenantId, after, filter, PageSize, ct));
            foreach (var change in page)
            {
                yield return change;
                after = change.ChangeSequence;
            }
            if (page.Count == PageSize) continue;
            await Task.WhenAny(stored, Task.Delay(PollInterval, ct));
        }
    }
}
