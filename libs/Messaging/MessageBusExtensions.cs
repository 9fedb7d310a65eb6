using HrmsAttendance.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace HrmsAttendance.Messaging;

public static class MessageBusExtensions
{
    /// <summary>The RabbitMQ connection string's name: the AppHost's <c>messaging</c> resource.</summary>
    public const string ConnectionName = "messaging";

    /// <summary>Redeliveries of a failing message to its consumer before it goes to the error queue.</summary>
    public const int ConsumerRetries = 5;

    /// <summary>
    /// MassTransit on RabbitMQ (<c>ConnectionStrings__messaging</c>, an <c>amqp://user:password@host:port</c> URI), with
    /// the consumers <paramref name="configure"/> adds, each on its own kebab-case queue. The bus starts in the background:
    /// a service runs (and keeps accepting writes into its outbox) while the broker is down, and its <c>/health</c> says
    /// Degraded until the bus connects.
    /// </summary>
    public static IHostApplicationBuilder AddMessageBus(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        builder.RequireConnectionStringPassword(ConnectionName, BrokerPassword);
        var broker = new Uri(builder.Configuration.GetRequiredConnectionString(ConnectionName));
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // MassTransit would post its usage report to usage-tracking.masstransit.io: nothing of ours leaves the machine.
            bus.DisableUsageTelemetry();
            // Degraded, not Unhealthy: the service's own work goes on without the broker.
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = "bus";
                health.MinimalFailureStatus = HealthStatus.Degraded;
            });
            // Every consumer: retried with exponential back-off (a database restart, a deadlock), then moved to its
            // queue's _error queue, where it waits for an operator while the queue goes on with the next message.
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(retry =>
                retry.Exponential(ConsumerRetries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(400))));
            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker);
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>The password in an <c>amqp://user:password@host:port</c> URI, or null.</summary>
    public static string? BrokerPassword(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            throw new ArgumentException("not an amqp:// URI"); // the caller's message names the setting, not the value
        var separator = uri.UserInfo.IndexOf(':');
        return separator < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
    }
}
