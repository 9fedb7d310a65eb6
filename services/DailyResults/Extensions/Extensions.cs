using HrmsAttendance.Database;
using HrmsAttendance.DailyResults.Changes;
using HrmsAttendance.DailyResults.Data;
using HrmsAttendance.Messaging;
using HrmsAttendance.DailyResults.Grpc;
using HrmsAttendance.DailyResults.Model;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using MassTransit;

namespace HrmsAttendance.DailyResults.Extensions;

internal static class Extensions
{
    /// <summary>The connection string name: the service's own NOSUPERUSER NOBYPASSRLS role (daily_results_app).</summary>
    public const string DatabaseName = "attendance";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDataSource(DatabaseName);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DailyResultStore>();

        // The change feed: DailyResultChanged from the bus, stored once each, streamed to watchers
        // (WatchDailyResults, GET /api/daily-results/changes), pruned after a week.
        builder.Services.AddSingleton<ChangeFeedStore>();
        builder.Services.AddSingleton<ChangeFeedSignal>();
        builder.Services.AddSingleton<ChangeWatcher>();
        builder.Services.AddHostedService<ChangeFeedPruning>();
        builder.AddMessageBus(bus => bus.AddConsumer<DailyResultChangedConsumer>(consumer => consumer.Options<BatchOptions>(batch => batch
            .SetMessageLimit(DailyResultChangedConsumer.BatchSize)
            .SetTimeLimit(DailyResultChangedConsumer.BatchWait)
            .SetTimeLimitStart(BatchTimeLimitStart.FromFirst))));
        builder.Services.AddSingleton<DailyResultsService>();
        builder.Services.AddServiceActivitySource(DailyResultsService.ActivitySource.Name);

        builder.Services.AddGrpcServiceDefaults(ResultsErrors.Statuses);
        // Every call needs a valid bearer token (the caller is read from it alone); only health is anonymous.
        builder.AddServiceAuthentication(ResultsErrors.TokenRefusals);
    }
}
