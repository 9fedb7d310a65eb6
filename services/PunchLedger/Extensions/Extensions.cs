using HrmsAttendance.Database;
using HrmsAttendance.Messaging;
using HrmsAttendance.Messaging.Outbox;
using HrmsAttendance.PunchLedger.Adjustments;
using HrmsAttendance.PunchLedger.Audit;
using HrmsAttendance.PunchLedger.Data;
using HrmsAttendance.PunchLedger.Grpc;
using HrmsAttendance.PunchLedger.Imports;
using HrmsAttendance.PunchLedger.Messaging;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.PunchLedger.Extensions;

internal static class Extensions
{
    /// <summary>The connection string name: the service's own NOSUPERUSER NOBYPASSRLS role.</summary>
    public const string DatabaseName = "attendance";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDataSource(DatabaseName);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PunchStore>();
        builder.Services.AddSingleton<PunchLedgerService>();
        builder.Services.AddServiceActivitySource(PunchLedgerService.ActivitySource.Name);

        builder.Services.AddGrpcServiceDefaults(LedgerErrors.Statuses);
        // Every call needs a valid bearer token (the caller is read from it alone); only health is anonymous.
        builder.AddServiceAuthentication(LedgerErrors.TokenRefusals);

        // PunchRecorded and DailyResultChanged: the kernel writes them to staffing.outbox with every change; the
        // relay publishes them to the bus (at least once, ids stable per change). Punches do not wait for the broker.
        builder.AddMessageBus();
        builder.AddOutboxRelay<LedgerOutboxMessages>(LedgerOutboxMessages.Schema, LedgerOutboxMessages.Source);

        // Imports (issue 13): files stored and parsed in Postgres, committed in chunks through the batch door by a
        // background worker that survives restarts (Imports/README.md).
        builder.Services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.SectionName)
            .Validate(o => o.CommitChunkRows is >= 1 and <= PunchLedgerService.MaxBatchSize,
                $"Imports:CommitChunkRows must be from 1 to {PunchLedgerService.MaxBatchSize} (one batch door call per chunk)")
            .Validate(o => o.CommitParts is >= 1 and <= 16, "Imports:CommitParts must be from 1 to 16")
            .ValidateOnStart();
        builder.Services.AddSingleton<ImportStore>();
        builder.Services.AddSingleton<ImportWorker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ImportWorker>());
        builder.Services.AddSingleton<ImportsGrpcService>();

        // Adjustment requests with approval (issue 14): an approval records a CORRECTION punch through the kernel's door.
        builder.Services.AddSingleton<AdjustmentStore>();
        builder.Services.AddSingleton<AdjustmentsGrpcService>();

        // The audit log every service's writes land in (written by the database's triggers), and its retention.
        builder.Services.AddOptions<AuditLogOptions>().BindConfiguration(AuditLogOptions.SectionName)
            .Validate(o => o.RetentionDays >= AuditLogOptions.MinimumRetentionDays,
                $"AuditLog:RetentionDays must be at least {AuditLogOptions.MinimumRetentionDays}")
            .Validate(o => o.PurgeInterval > TimeSpan.Zero, "AuditLog:PurgeInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<AuditLogStore>();
        builder.Services.AddSingleton<AuditLogGrpcService>();
        builder.Services.AddHostedService<AuditRetentionWorker>();
    }
}
