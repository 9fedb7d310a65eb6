using HrmsAttendance.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace HrmsAttendance.Messaging.Outbox;

public static class OutboxRelayExtensions
{
    /// <summary>
    /// Runs the outbox relay for the service's outbox in <paramref name="schema"/> (its functions
    /// <c>claim_outbox_messages</c>, <c>mark_outbox_published</c>, <c>prune_published_outbox</c>, <c>outbox_backlog</c>),
    /// publishing through the bus of <see cref="MessageBusExtensions.AddMessageBus"/> with the contracts
    /// <typeparamref name="TFactory"/> makes. The service calls <see cref="OutboxSignal.Notify"/> after a write
    /// with outbox rows to have them published at once. Adds the <c>outbox</c> health check and the Outbox metrics and traces.
    /// </summary>
    public static IHostApplicationBuilder AddOutboxRelay<TFactory>(this IHostApplicationBuilder builder, string schema, string source)
        where TFactory : class, IOutboxMessageFactory
    {
        builder.Services.AddOptions<OutboxRelayOptions>()
            .BindConfiguration(OutboxRelayOptions.SectionName)
            .Configure(options =>
            {
                options.Schema = schema;
                options.Source = source;
            });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IOutboxMessageFactory, TFactory>();
        builder.Services.TryAddSingleton<IOutboxPublisher, BusOutboxPublisher>();
        builder.Services.AddSingleton<OutboxRelayState>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxBulkWrites>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHealthChecks().AddCheck<OutboxRelayState>("outbox");
        builder.Services.AddServiceActivitySource(OutboxRelayState.MeterName);
        return builder;
    }
}
