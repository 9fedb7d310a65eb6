using System.Diagnostics.Metrics;
using HrmsAttendance.Messaging.Outbox;
using HrmsAttendance.PunchLedger.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;

/// <summary>The ledger's outbox relay as the service builds it (its schema and source), publishing to a stand-in broker.</summary>
public static class LedgerOutboxRelay
{
    public static OutboxRelay Create(NpgsqlDataSource app, IOutboxPublisher broker, OutboxRelayOptions settings,
        OutboxSignal? written = null, OutboxBulkWrites? bulkWrites = null)
    {
        settings.Schema = LedgerOutboxMessages.Schema;
        settings.Source = LedgerOutboxMessages.Source;
        var options = Options.Create(settings);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new OutboxRelay(app, broker, new LedgerOutboxMessages(), new OutboxRelayState(options, TimeProvider.System, meters),
            written ?? new OutboxSignal(), bulkWrites ?? new OutboxBulkWrites(TimeProvider.System), options, TimeProvider.System,
            NullLogger<OutboxRelay>.Instance);
    }
}
