using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
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
public sealed class BusFlowTests(DistributedAppFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Guid _tenant = Guid.NewGuid();
    private Guid _person;
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

        // The punches' person (the ledger records known persons only).
        await fixture.App.WaitHealthyAsync("identity-mapping", TimeSpan.FromSeconds(60));
        using var channel = fixture.App.CreateGrpcChannel("identity-mapping");
        _person = await new TopologyCallers(fixture.App, fixture.DataDirectory).NewPersonAsync(channel, _tenant);
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

        // The relay's publish and daily-results' handling of the change join the punch's trace in the dashboard, next to
        // the gRPC call that wrote it.
        var spans = await fixture.Telemetry.WaitForTraceAsync(traceId.ToHexString(),
            t => t.Any(s => s.IsServer && s.Service == "punch-ledger") && t.Any(s => s.Name == "outbox publish PunchRecorded")
                 && t.Any(s => s.Service == "daily-results" && s.Scope == "MassTransit"),
            TimeSpan.FromSeconds(30));
        Assert.All(spans, s => Assert.Equal(traceId.ToHexString(), s.TraceId));
        Assert.Contains(spans, s => s.Service == "punch-ledger" && s.Scope == "MassTransit");
        Assert.Contains(spans, s => s.Service == "daily-results" && s.Scope == "MassTransit" && s.Kind == 5); // OTLP kind 5 = consumer
    }

    [Fact]
    public async Task A_punch_through_the_gateway_reaches_a_WatchDailyResults_subscriber_and_an_SSE_client_through_the_gateway()
    {
        var app = fixture.App;
        foreach (var resource in new[] { "gateway", "punch-ledger", "daily-results", "identity-mapping" })
            await app.WaitHealthyAsync(resource, TimeSpan.FromSeconds(60));
        var callers = new TopologyCallers(app, fixture.DataDirectory);
        var admin = callers.Token(_tenant, AccessRoles.TenantAdmin);
        using var channel = callers.Channel();
        var person = await callers.NewPersonAsync(channel, _tenant);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Both subscribers are on before the punch: a watch without resume_after starts from now.
        using var watch = new DailyResultsClient(channel).WatchDailyResults(new WatchDailyResultsRequest { PersonUuid = person.ToString() },
            TopologyCallers.Bearer(admin).WithCancellationToken(timeout.Token));
        await watch.ResponseHeadersAsync;
        using var http = callers.Http();
        using var sse = await http.SendAsync(TopologyCallers.Get($"/api/daily-results/changes?person_uuid={person}", admin),
            HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, sse.StatusCode);
        var sseEvents = System.Net.ServerSentEvents.SseParser.Create(await sse.Content.ReadAsStreamAsync(timeout.Token))
            .EnumerateAsync(timeout.Token).Where(e => e.EventType == "daily-result-changed").GetAsyncEnumerator(timeout.Token);
        var sseFirst = sseEvents.MoveNextAsync().AsTask();

        var at = new DateTimeOffset(2026, 3, 16, 9, 1, 0, Punches.Shanghai);
        var submitted = Stopwatch.StartNew();
        await new PunchLedgerClient(channel).SubmitPunchAsync(Punches.In(person, at), TopologyCallers.Bearer(admin));

        // The punch changes two days (the day before, ABSENT, and its own); both subscribers see the day itself.
        DailyResultChange? seen = null;
        while (seen is null && await watch.ResponseStream.MoveNext(timeout.Token))
            if (watch.ResponseStream.Current.WorkDate == "2026-03-16") seen = watch.ResponseStream.Current;
        var watchLag = submitted.Elapsed;
        Assert.NotNull(seen);
        Assert.Equal(DailyStatus.Exception, seen.Status);
        Assert.Equal([DailyFlag.MissingOut], seen.Flags);
        Assert.Equal(1, seen.InputPunchCount);

        string? sseDay = null;
        var more = await sseFirst;
        while (more)
        {
            sseDay = System.Text.Json.JsonDocument.Parse(sseEvents.Current.Data).RootElement.GetProperty("work_date").GetString();
            if (sseDay == "2026-03-16") break;
            more = await sseEvents.MoveNextAsync();
        }
        var sseLag = submitted.Elapsed;
        Assert.Equal("2026-03-16", sseDay);
        Assert.Equal(seen.ChangeSequence.ToString(System.Globalization.CultureInfo.InvariantCulture), sseEvents.Current.EventId);
        // Not a timed assertion: the figure goes to the output (the one-second p99 is measured by the bus benchmark).
        output.WriteLine($"punch → WatchDailyResults {watchLag.TotalMilliseconds:0} ms, → SSE {sseLag.TotalMilliseconds:0} ms");
        await sseEvents.DisposeAsync();
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
