using System.Collections.Concurrent;
using System.Diagnostics;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Tokens;
using MassTransit;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// A punch's side-effect notifications: the ledger's outbox relay publishes PunchRecorded and DailyResultChanged to the
/// `messaging` RabbitMQ, where a consumer of another system (this test's own MassTransit bus) receives them, in the
/// punch's trace.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class BusFlowTests(DistributedAppFixture fixture) : IAsyncLifetime
{
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly Guid _person = Guid.NewGuid();
    private readonly ConcurrentQueue<ConsumeContext<PunchRecorded>> _punches = new();
    private readonly ConcurrentQueue<ConsumeContext<DailyResultChanged>> _changes = new();
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        var broker = new Uri((await fixture.App.GetConnectionStringAsync("messaging"))!);
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker);
            // A queue of this test's own, bound to both messages' exchanges, gone when the bus stops.
            rabbit.ReceiveEndpoint($"apphost-tests-{Guid.NewGuid():N}", endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Durable = false;
                endpoint.Handler<PunchRecorded>(context =>
                {
                    if (context.Message.TenantId == _tenant) _punches.Enqueue(context);
                    return Task.CompletedTask;
                });
                endpoint.Handler<DailyResultChanged>(context =>
                {
                    if (context.Message.TenantId == _tenant) _changes.Enqueue(context);
                    return Task.CompletedTask;
                });
            });
        });
        await _bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
    }

    public async Task DisposeAsync() => await _bus.StopAsync();

    [Fact]
    public async Task A_punch_reaches_a_bus_consumer_as_PunchRecorded_and_DailyResultChanged_in_its_trace()
    {
        var app = fixture.App;
        await app.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(60));
        using var channel = app.CreateGrpcChannel("punch-ledger");
        var token = new TopologyCallers(app, fixture.DataDirectory).Token(_tenant, AccessRoles.Integration);
        var traceId = ActivityTraceId.CreateRandom();
        var at = new DateTimeOffset(2026, 3, 9, 9, 20, 0, Punches.Shanghai);

        var response = await new PunchLedgerClient(channel).SubmitPunchAsync(Punches.In(_person, at), Punches.For(token, traceId));

        await WaitUntilAsync(() => _punches.Count >= 1 && _changes.Any(c => c.Message.WorkDate == new DateOnly(2026, 3, 9)), TimeSpan.FromSeconds(30));
        var recorded = Assert.Single(_punches);
        Assert.Equal(Guid.Parse(response.EventId), recorded.Message.EventId);
        Assert.Equal(_person, recorded.Message.PersonUuid);
        Assert.Equal(at, recorded.Message.PunchTime);
        Assert.Equal(new DateOnly(2026, 3, 9), recorded.Message.WorkDate);
        Assert.Equal("IN", recorded.Message.PunchType);
        // The transport's message id is the contract's: a redelivery of this change would carry it again.
        Assert.Equal(recorded.Message.MessageId, recorded.MessageId);
        Assert.Contains(traceId.ToHexString(), recorded.Message.TraceParent);

        var day = _changes.Single(c => c.Message.WorkDate == new DateOnly(2026, 3, 9)).Message;
        Assert.Equal(_person, day.PersonUuid);
        Assert.Equal("EXCEPTION", day.Status);
        Assert.Equal(["LATE", "MISSING_OUT"], day.Flags);
        Assert.Equal(1, day.InputPunchCount);
        Assert.Equal(recorded.Message.EventSequence, day.InputMaxPunchEventSequence);
        Assert.Equal(recorded.Message.Sequence, day.Sequence);
        Assert.True(day.Position > recorded.Message.Position);

        // The relay's publish joins the punch's trace in the dashboard, next to the gRPC call that wrote it.
        var spans = await fixture.Telemetry.WaitForTraceAsync(traceId.ToHexString(),
            t => t.Any(s => s.IsServer && s.Service == "punch-ledger") && t.Any(s => s.Name == "outbox publish PunchRecorded"),
            TimeSpan.FromSeconds(30));
        Assert.All(spans, s => Assert.Equal(traceId.ToHexString(), s.TraceId));
        Assert.Contains(spans, s => s.Service == "punch-ledger" && s.Scope == "MassTransit");
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
