using HrmsAttendance.Messaging.Outbox;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>
/// Does the imports' background work: parses uploaded files and commits batches in chunks. It claims one batch at a
/// time from the database (any tenant, with a lease it renews as it goes), so work survives restarts: a batch whose
/// worker died is taken over once its lease has passed, and continues where the last committed chunk ended.
/// <see cref="Wake"/> lets a request that just made work start it at once instead of at the next poll.
/// </summary>
public sealed class ImportWorker(ImportStore store, OutboxBulkWrites bulkWrites, IOptions<ImportOptions> options, ILogger<ImportWorker> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim wake = new(0, 1);

    public void Wake()
    {
        try { wake.Release(); }
        catch (SemaphoreFullException) { } // already woken
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await store.ClaimWorkAsync(stoppingToken) is { } work)
                {
                    await WorkAsync(work.Tenant, work.ImportId, work.Status, stoppingToken);
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The batch keeps its lease until it passes; then this or another worker tries again.
                logger.LogError(e, "Import work failed; it is retried once the batch's lease has passed");
            }
            try { await wake.WaitAsync(options.Value.WorkerPollInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task WorkAsync(Guid tenant, Guid importId, string status, CancellationToken ct)
    {
        if (status == "PARSING")
        {
            logger.LogInformation("Parsing import {ImportId} of tenant {Tenant}", importId, tenant);
            await store.ParseAsync(tenant, importId, ct);
            return;
        }
        logger.LogInformation("Committing import {ImportId} of tenant {Tenant}", importId, tenant);
        // The relay publishes the commit's notifications after it (within Outbox:MaxYieldToBulkWrites).
        using (bulkWrites.Begin())
            await store.CommitAsync(tenant, importId, ct);
        logger.LogInformation("Committed import {ImportId} of tenant {Tenant}", importId, tenant);
    }
}
