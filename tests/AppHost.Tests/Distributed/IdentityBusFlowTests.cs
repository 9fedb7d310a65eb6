using System.Collections.Concurrent;
using System.Diagnostics;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Tokens;
using MassTransit;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// identity-mapping's side-effect notifications: its outbox relay publishes ExternalIdentityLinked and
/// ExternalIdentityUnlinked to the `messaging` RabbitMQ. This test's own MassTransit bus stands in for the consumer the
/// connectors will have (issue 12: replaying the punches parked for an id once it is linked).
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class IdentityBusFlowTests(DistributedAppFixture fixture) : IAsyncLifetime
{
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly ConcurrentQueue<ConsumeContext<ExternalIdentityLinked>> _linked = new();
    private readonly ConcurrentQueue<ConsumeContext<ExternalIdentityUnlinked>> _unlinked = new();
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        var broker = new Uri((await fixture.App.GetConnectionStringAsync("messaging"))!);
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker);
            // A queue of this test's own, bound to both messages' exchanges, gone when the bus stops.
            rabbit.ReceiveEndpoint($"apphost-tests-identity-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Durable = false;
                endpoint.Handler<ExternalIdentityLinked>(context =>
                {
                    if (context.Message.TenantId == _tenant) _linked.Enqueue(context);
                    return Task.CompletedTask;
                });
                endpoint.Handler<ExternalIdentityUnlinked>(context =>
                {
                    if (context.Message.TenantId == _tenant) _unlinked.Enqueue(context);
                    return Task.CompletedTask;
                });
            });
        });
        await _bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
    }

    public async Task DisposeAsync() => await _bus.StopAsync();

    [Fact]
    public async Task LinkIdentity_through_the_gateway_reaches_a_bus_consumer_as_ExternalIdentityLinked_in_its_trace()
    {
        var app = fixture.App;
        foreach (var resource in new[] { "gateway", "identity-mapping" })
            await app.WaitHealthyAsync(resource, TimeSpan.FromSeconds(60));
        var callers = new TopologyCallers(app, fixture.DataDirectory);
        using var channel = callers.Channel();
        var person = await callers.NewPersonAsync(channel, _tenant);
        var admin = callers.Token(_tenant, AccessRoles.TenantAdmin);
        var client = new IdentityMappingClient(channel);
        var traceId = ActivityTraceId.CreateRandom();

        await client.LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = IdentityProvider.Dingtalk, ExternalUserId = "bus-user-1", PersonUuid = person.ToString(),
        }, Punches.For(admin, traceId));
        // A retry of the same link changes nothing and announces nothing.
        await client.LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = IdentityProvider.Dingtalk, ExternalUserId = "bus-user-1", PersonUuid = person.ToString(),
        }, Punches.For(admin));

        await WaitUntilAsync(() => !_linked.IsEmpty, TimeSpan.FromSeconds(30));
        var linked = Assert.Single(_linked);
        Assert.Equal(("DINGTALK", "bus-user-1", person, _tenant),
            (linked.Message.Provider, linked.Message.ExternalUserId, linked.Message.PersonUuid, linked.Message.TenantId));
        // The transport's message id is the contract's: a redelivery of this change would carry it again.
        Assert.Equal(linked.Message.MessageId, linked.MessageId);
        Assert.Contains(traceId.ToHexString(), linked.Message.TraceParent);

        await client.UnlinkIdentityAsync(new UnlinkIdentityRequest { Provider = IdentityProvider.Dingtalk, ExternalUserId = "bus-user-1" },
            Punches.For(admin));
        await WaitUntilAsync(() => !_unlinked.IsEmpty, TimeSpan.FromSeconds(30));
        var unlinked = Assert.Single(_unlinked).Message;
        Assert.Equal(("DINGTALK", "bus-user-1", person), (unlinked.Provider, unlinked.ExternalUserId, unlinked.PersonUuid));
        Assert.True(unlinked.Sequence > linked.Message.Sequence);
        Assert.NotEqual(linked.Message.MessageId, unlinked.MessageId);
        Assert.Single(_linked); // still: the retried link was not announced

        // The relay's publish joins the link's trace in the dashboard, next to the gRPC call that wrote it.
        var spans = await fixture.Telemetry.WaitForTraceAsync(traceId.ToHexString(),
            t => t.Any(s => s.IsServer && s.Service == "identity-mapping") && t.Any(s => s.Name == "outbox publish ExternalIdentityLinked"),
            TimeSpan.FromSeconds(30));
        Assert.All(spans, s => Assert.Equal(traceId.ToHexString(), s.TraceId));
        Assert.Contains(spans, s => s.Service == "identity-mapping" && s.Scope == "MassTransit");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            if (stopwatch.Elapsed > timeout) throw new TimeoutException($"Not within {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }
}
