using System.Collections.Concurrent;
using HrmsAttendance.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>A message only these tests send: how many deliveries its consumer fails before it succeeds (-1: always, a poison message).</summary>
public sealed record RetryProbe(Guid Id, int FailFirst);

/// <summary>
/// The consumer policy every service gets from <see cref="MessageBusExtensions.AddMessageBus"/>, on the AppHost's RabbitMQ:
/// a consumer that throws on its first deliveries is retried until it succeeds; a poison message goes to the queue's
/// <c>_error</c> queue after the retries, and the queue goes on with the next messages.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class ConsumerRetryTests(DistributedAppFixture fixture)
{
    private sealed class FlakyConsumer(Deliveries deliveries) : IConsumer<RetryProbe>
    {
        public Task Consume(ConsumeContext<RetryProbe> context)
        {
            var attempt = deliveries.Attempts.AddOrUpdate(context.Message.Id, 1, (_, count) => count + 1);
            if (context.Message.FailFirst < 0 || attempt <= context.Message.FailFirst)
                throw new InvalidOperationException($"delivery {attempt} of {context.Message.Id} fails on purpose");
            deliveries.Succeeded.TryAdd(context.Message.Id, attempt);
            return Task.CompletedTask;
        }
    }

    private sealed class Deliveries
    {
        public ConcurrentDictionary<Guid, int> Attempts { get; } = new();
        public ConcurrentDictionary<Guid, int> Succeeded { get; } = new();
    }

    [Fact]
    public async Task A_failing_consumer_is_retried_until_it_succeeds_and_a_poison_message_goes_to_the_error_queue_while_the_rest_go_on()
    {
        var broker = await fixture.App.GetConnectionStringAsync("messaging");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration["ConnectionStrings:messaging"] = broker;
        var deliveries = new Deliveries();
        builder.Services.AddSingleton(deliveries);
        var queue = $"retry-probe-{Guid.NewGuid():N}";
        builder.AddMessageBus(bus => bus.AddConsumer<FlakyConsumer>().Endpoint(endpoint => endpoint.Name = queue));
        using var host = builder.Build();
        await host.StartAsync();

        // What lands in the error queue, read by a bus of its own as an operator's tool would.
        var dead = new ConcurrentDictionary<Guid, string?>(); // message id → the queue it was read from
        var errors = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri(broker!));
            rabbit.ReceiveEndpoint(queue + "_error", endpoint =>
            {
                endpoint.ConfigureConsumeTopology = false; // read the queue only; bind it to nothing
                endpoint.Handler<RetryProbe>(context =>
                {
                    dead.TryAdd(context.Message.Id, context.ReceiveContext.InputAddress?.AbsolutePath);
                    return Task.CompletedTask;
                });
            });
        });
        await errors.StartAsync();
        try
        {
            var bus = host.Services.GetRequiredService<IBus>();
            var flaky = new RetryProbe(Guid.NewGuid(), FailFirst: 3);
            var poison = new RetryProbe(Guid.NewGuid(), FailFirst: -1);
            var healthy = Enumerable.Range(0, 5).Select(_ => new RetryProbe(Guid.NewGuid(), FailFirst: 0)).ToList();
            await bus.Publish(flaky);
            await bus.Publish(poison);
            foreach (var message in healthy) await bus.Publish(message);

            var deadline = DateTime.UtcNow.AddSeconds(90);
            while ((!deliveries.Succeeded.ContainsKey(flaky.Id) || !dead.ContainsKey(poison.Id)
                    || healthy.Any(m => !deliveries.Succeeded.ContainsKey(m.Id))) && DateTime.UtcNow < deadline)
                await Task.Delay(100);

            Assert.Equal(4, deliveries.Succeeded.GetValueOrDefault(flaky.Id)); // three failures, then the fourth delivery
            Assert.All(healthy, m => Assert.Equal(1, deliveries.Succeeded.GetValueOrDefault(m.Id)));
            Assert.True(dead.ContainsKey(poison.Id), "the poison message did not reach the error queue");
            Assert.EndsWith(queue + "_error", dead[poison.Id]);
            Assert.Single(dead); // only the poison message
            Assert.Equal(1 + MessageBusExtensions.ConsumerRetries, deliveries.Attempts[poison.Id]);
            Assert.DoesNotContain(poison.Id, deliveries.Succeeded.Keys);
        }
        finally
        {
            await errors.StopAsync();
            await host.StopAsync();
        }
    }
}
