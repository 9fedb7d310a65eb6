using Microsoft.Extensions.Options;

namespace HrmsAttendance.PunchLedger.Audit;

/// <summary>How long the audit log keeps entries (<c>AuditLog:RetentionDays</c>, at least 30; 400 by default: a year and a quarter).</summary>
public sealed class AuditLogOptions
{
    public const string SectionName = "AuditLog";
    public const int MinimumRetentionDays = 30;

    public int RetentionDays { get; set; } = 400;
    /// <summary>How often the purge runs.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Deletes the audit entries past the retention period, every <see cref="AuditLogOptions.PurgeInterval"/>.</summary>
public sealed class AuditRetentionWorker(AuditLogStore store, IOptions<AuditLogOptions> options, TimeProvider clock,
    ILogger<AuditRetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var purged = await store.PurgeExpiredAsync(settings.RetentionDays, stoppingToken);
                if (purged > 0)
                    logger.LogInformation("Audit log: {Count} entries older than {Days} days purged", purged, settings.RetentionDays);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The next pass tries again; the entries only live a little longer.
                logger.LogWarning(e, "Audit log purge failed: {Message}", e.Message);
            }
            try { await Task.Delay(settings.PurgeInterval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
