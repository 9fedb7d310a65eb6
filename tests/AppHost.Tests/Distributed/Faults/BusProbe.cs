using System.Collections.Concurrent;
using HrmsAttendance.Contracts.Messages.V1;
using MassTransit;

namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>
/// Another system listening on the bus: a durable queue of its own (it outlives a broker restart, so nothing published
/// after the restart misses it) bound to PunchRecorded, counting each message id's deliveries for one tenant.
/// </summary>
internal sealed class BusProbe : IAsyncDisposable
{
    private readonly IBusControl bus;
    private readonly Guid tenant;

    private BusProbe(IBusControl bus, Guid tenant)
    {
        this.bus = bus;
        this.tenant = tenant;
    }

    /// <summary>Deliveries per message id.</summary>
    public ConcurrentDictionary<Guid, int> Deliveries { get; } = new();

    /// <summary>The ledger event ids announced (distinct).</summary>
    public ConcurrentDictionary<Guid, byte> Events { get; } = new();

    public int Duplicates => Deliveries.Values.Sum(count => count - 1);

    public static async Task<BusProbe> StartAsync(DistributedApplication app, Guid tenant)
    {
        var broker = new Uri((await app.GetConnectionStringAsync("messaging"))!);
        BusProbe? probe = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker);
            rabbit.ReceiveEndpoint($"fault-probe-{Guid.NewGuid():N}", endpoint =>
                endpoint.Handler<PunchRecorded>(context =>
                {
                    if (context.Message.TenantId == probe!.tenant)
                    {
                        probe.Deliveries.AddOrUpdate(context.Message.MessageId, 1, (_, count) => count + 1);
                        probe.Events.TryAdd(context.Message.EventId, 0);
                    }
                    return Task.CompletedTask;
                }));
        });
        probe = new BusProbe(bus, tenant);
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return probe;
    }

    public async Task WaitForEventsAsync(IReadOnlyCollection<Guid> expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (expected.Any(id => !Events.ContainsKey(id)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{expected.Count(id => !Events.ContainsKey(id))} of {expected.Count} PunchRecorded messages not delivered within {timeout.TotalSeconds} s.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync() => await bus.StopAsync();
}
