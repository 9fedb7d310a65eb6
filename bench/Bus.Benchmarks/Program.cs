extern alias AppHostProject;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Bus.Benchmarks;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Load.Benchmarks;
using HrmsAttendance.Tokens;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using DevelopmentTokens = AppHostProject::HrmsAttendance.AppHost.Extensions.DevelopmentTokens;

// The bus (issue 11 item 6): the real AppHost topology booted as bench/Load.Benchmarks does, persons registered through
// identity-mapping for two fresh tenants, a MassTransit bus of the bench's own on the AppHost's `messaging` RabbitMQ, then
//  1. baseline: MassTransit publish → consume on the same broker from this process (PunchRecorded-shaped messages to a
//     queue of its own): lag at --rate messages/s, and messages/s of --baseline-messages published at once with confirms;
//  2. steady: --rate punches/s for --seconds straight to punch-ledger's gRPC port (or through the gateway: --via gateway);
//     lag from the commit (OccurredAt, the outbox row's created_at) to this process's consumer of PunchRecorded and
//     DailyResultChanged, and to a WatchDailyResults subscriber and a GET /api/daily-results/changes (SSE) subscriber on
//     daily-results (or through the gateway); delivered vs expected, duplicates;
//  3. relay throughput: the broker stopped (Aspire's stop command), --backlog punches submitted, the broker started; the
//     relay's drain timed until every message arrived: messages/s, as a ratio to the baseline's.
// Usage: dotnet run -c Release --project bench/Bus.Benchmarks [-- --seconds 60 --rate 500 --backlog 20000 …]
BusOptions options;
try { options = BusOptions.Parse(args); }
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
Console.WriteLine($"bus benchmark: {options}");
var loadAtStart = ProcFs.LoadAverage();
Console.WriteLine($"{Environment.ProcessorCount} cores; load average at start: {loadAtStart}");

var boot = Stopwatch.StartNew();
if (await Topology.BootAsync("hrms-bus-bench-") is not { } booted) return 1;
await using var _ = booted; // stops the topology and deletes its data directory at exit
var (app, dataDirectory) = booted;
Console.WriteLine($"topology healthy in {boot.Elapsed.TotalSeconds:F1} s");

var issuer = new AccessTokenIssuer(DevelopmentTokens.DevelopmentSettings(dataDirectory));
Metadata BearerFor(Guid tenant) =>
    new() { { "authorization", "Bearer " + issuer.Issue(new AccessTokenClaims(tenant, "bus-bench", [AccessRoles.TenantAdmin]), TimeSpan.FromHours(2)) } };
CallOptions Call(Guid tenant) => new(BearerFor(tenant), DateTime.UtcNow.AddSeconds(30));
var runId = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64()))[..8].ToLowerInvariant();
var (steadyTenant, backlogTenant, baselineTenant) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

using var ledgerChannel = GrpcChannel.ForAddress(app.GetEndpoint("punch-ledger", "grpc"));
using var resultsChannel = GrpcChannel.ForAddress(app.GetEndpoint("daily-results", "grpc"));
using var gatewayChannel = GrpcChannel.ForAddress(app.GetEndpoint("gateway", "grpc"));
var ledger = new PunchLedgerClient(ledgerChannel);
// The steady phase's calls: straight to the services, or through the gateway (--via gateway).
var steadyLedger = options.ViaGateway ? new PunchLedgerClient(gatewayChannel) : ledger;
var steadyResults = new DailyResultsClient(options.ViaGateway ? gatewayChannel : resultsChannel);
var sseAddress = new Uri(app.GetEndpoint(options.ViaGateway ? "gateway" : "daily-results", "http"), "/api/daily-results/changes?resume_after=0");
LoadPersons steadyPersons, backlogPersons;
using (var identityChannel = GrpcChannel.ForAddress(app.GetEndpoint("identity-mapping", "grpc")))
{
    var registering = Stopwatch.StartNew();
    var identity = new IdentityMappingClient(identityChannel);
    steadyPersons = await LoadPersons.RegisterAsync(identity, BearerFor(steadyTenant), options.Persons, runId + "s");
    backlogPersons = await LoadPersons.RegisterAsync(identity, BearerFor(backlogTenant), options.Persons, runId + "b");
    Console.WriteLine($"2 × {options.Persons} persons registered through identity-mapping in {registering.Elapsed.TotalSeconds:F1} s");
}

// The bench's bus: durable queues of its own (they outlive the broker's restart, so nothing published after it misses
// them), a prefetch of 256 so that this consumer is not what limits the rates.
var deliveries = new Deliveries();
var broker = new Uri((await app.GetConnectionStringAsync("messaging"))!);
var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(rabbit =>
{
    rabbit.Host(broker);
    rabbit.ReceiveEndpoint($"bus-bench-baseline-{runId}", endpoint =>
    {
        endpoint.PrefetchCount = 256;
        endpoint.Handler<BaselinePunch>(context =>
        {
            var m = context.Message.Punch;
            deliveries.Record(nameof(BaselinePunch), m.MessageId, m.TenantId, m.EventId, m.OccurredAt);
            return Task.CompletedTask;
        });
    });
    rabbit.ReceiveEndpoint($"bus-bench-ledger-{runId}", endpoint =>
    {
        endpoint.PrefetchCount = 256;
        deliveries.Consume(endpoint);
    });
});
await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

// 1. Baseline.
Console.WriteLine();
var baselineLoad = ProcFs.LoadAverage();
var baselineSent = 0;
BaselinePunch NextBaseline() => new(new PunchRecorded
{
    MessageId = Guid.NewGuid(), TenantId = baselineTenant, OccurredAt = DateTimeOffset.UtcNow,
    Sequence = Interlocked.Increment(ref baselineSent), Position = 0, TraceParent = "00-" + new string('1', 32) + "-" + new string('2', 16) + "-01",
    EventId = Guid.NewGuid(), EventSequence = baselineSent, PersonUuid = Guid.NewGuid(), PunchTime = DateTimeOffset.UtcNow,
    WorkDate = DateOnly.FromDateTime(DateTime.UtcNow), PunchType = "IN", SourceProvider = "MANUAL", RequestId = $"bus-bench-{baselineSent}",
});
async Task<bool> BaselineArrivedAsync(int total) =>
    await deliveries.WaitAsync(() => deliveries.Of(baselineTenant).Count >= total, TimeSpan.Zero, TimeSpan.FromSeconds(120));
await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => bus.Publish(NextBaseline())));
await BaselineArrivedAsync(500);
var baselineFrom = DateTimeOffset.UtcNow;
var latencySlots = (int)(options.Rate * options.BaselineSeconds);
var baselinePaced = await Paced.RunAsync(latencySlots, options.Rate, options.Senders, _ => bus.Publish(NextBaseline()));
await BaselineArrivedAsync(500 + latencySlots);
var baselineLag = Lags.Of(deliveries.Of(baselineTenant).Where(d => d.OccurredAt >= baselineFrom).Select(d => d.Lag));
Console.WriteLine($"baseline, paced {latencySlots / baselinePaced:N0} messages/s for {baselinePaced:F1} s: publish → consume {Lags.Line(baselineLag)}");
var burst = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, options.BaselineMessages).Select(_ => bus.Publish(NextBaseline())));
var confirmed = burst.Elapsed.TotalSeconds;
await BaselineArrivedAsync(500 + latencySlots + options.BaselineMessages);
var consumed = burst.Elapsed.TotalSeconds;
var baselineRate = options.BaselineMessages / consumed;
Console.WriteLine($"baseline, {options.BaselineMessages:N0} published at once: all confirmed in {confirmed:F2} s ({options.BaselineMessages / confirmed:N0}/s), " +
                  $"all consumed in {consumed:F2} s ({baselineRate:N0} messages/s); load {baselineLoad} → {ProcFs.LoadAverage()}");

// 2. Steady load, with a WatchDailyResults subscriber for the whole (fresh) tenant from its first change.
Console.WriteLine();
var watched = new ConcurrentDictionary<Guid, (DateTimeOffset OccurredAt, DateTimeOffset Received)>();
using var stopWatching = new CancellationTokenSource();
var watchCall = steadyResults.WatchDailyResults(new WatchDailyResultsRequest { ResumeAfter = 0 },
    new CallOptions(BearerFor(steadyTenant), cancellationToken: stopWatching.Token));
var watching = Task.Run(async () =>
{
    try
    {
        while (await watchCall.ResponseStream.MoveNext(stopWatching.Token))
        {
            var change = watchCall.ResponseStream.Current;
            watched.TryAdd(Guid.Parse(change.MessageId), (change.OccurredAt.ToDateTimeOffset(), DateTimeOffset.UtcNow));
        }
    }
    catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled) { }
    catch (OperationCanceledException) { }
});
// And an SSE subscriber of GET /api/daily-results/changes, the same tenant from its first change.
var streamed = new ConcurrentDictionary<Guid, (DateTimeOffset OccurredAt, DateTimeOffset Received)>();
using var sseClient = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
using var sseRequest = new HttpRequestMessage(HttpMethod.Get, sseAddress);
sseRequest.Headers.Authorization = new("Bearer", BearerFor(steadyTenant).GetValue("authorization")!["Bearer ".Length..]);
using var sseResponse = await sseClient.SendAsync(sseRequest, HttpCompletionOption.ResponseHeadersRead);
sseResponse.EnsureSuccessStatusCode();
var streaming = Task.Run(async () =>
{
    try
    {
        await using var body = await sseResponse.Content.ReadAsStreamAsync(stopWatching.Token);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(stopWatching.Token))
        {
            if (item.EventType != "daily-result-changed") continue;
            var received = DateTimeOffset.UtcNow;
            using var change = JsonDocument.Parse(item.Data);
            streamed.TryAdd(change.RootElement.GetProperty("message_id").GetGuid(),
                (change.RootElement.GetProperty("occurred_at").GetDateTimeOffset(), received));
        }
    }
    catch (OperationCanceledException) { }
    catch (IOException) when (stopWatching.IsCancellationRequested) { }
});
var submitted = new ConcurrentDictionary<Guid, byte>();
var measured = new ConcurrentDictionary<Guid, byte>();
var errors = new ConcurrentDictionary<string, int>();
async Task SubmitSteadyAsync(ConcurrentDictionary<Guid, byte>? counted)
{
    try
    {
        var ids = new List<string>();
        if (options.SteadyBatch == 1)
        {
            var person = Random.Shared.Next(steadyPersons.Count);
            var recorded = await steadyLedger.SubmitPunchAsync(steadyPersons.NextPunch(person, Random.Shared), Call(steadyTenant));
            if (recorded.Duplicate) throw new UnexpectedAnswerException("duplicate");
            ids.Add(recorded.EventId);
        }
        else
        {
            var batch = new SubmitPunchesRequest();
            for (var i = 0; i < options.SteadyBatch; i++)
                batch.Punches.Add(steadyPersons.NextPunch(Random.Shared.Next(steadyPersons.Count), Random.Shared).Punch);
            var outcomes = await steadyLedger.SubmitPunchesAsync(batch, Call(steadyTenant));
            foreach (var outcome in outcomes.Outcomes)
                if (outcome.Outcome == PunchOutcomeKind.Accepted) ids.Add(outcome.EventId);
                else errors.AddOrUpdate(outcome.ErrorCode, 1, (_, n) => n + 1);
        }
        foreach (var id in ids.Select(Guid.Parse))
        {
            submitted.TryAdd(id, 0);
            counted?.TryAdd(id, 0);
        }
    }
    catch (RpcException e) { errors.AddOrUpdate(e.StatusCode.ToString(), 1, (_, n) => n + 1); }
    catch (UnexpectedAnswerException e) { errors.AddOrUpdate(e.Message, 1, (_, n) => n + 1); }
}
var callsPerSecond = options.Rate / options.SteadyBatch;
await Paced.RunAsync((int)(callsPerSecond * options.WarmupSeconds), callsPerSecond, options.Senders, _ => SubmitSteadyAsync(null));
var steadyLoadBefore = ProcFs.LoadAverage();
var measureFrom = DateTimeOffset.UtcNow;
var steadySlots = (int)(callsPerSecond * options.Seconds);
var steadySeconds = await Paced.RunAsync(steadySlots, callsPerSecond, options.Senders, _ => SubmitSteadyAsync(measured));
var steadyLoadAfter = ProcFs.LoadAverage();
var achieved = measured.Count / steadySeconds;
Console.WriteLine($"steady: {measured.Count:N0} punches accepted in {steadySeconds:F1} s = {achieved:N0} punches/s (asked {options.Rate:N0}/s" +
                  $"{(achieved < options.Rate * 0.98 ? "; THE MACHINE DID NOT KEEP UP" : "")}); errors: " +
                  (errors.IsEmpty ? "none" : string.Join(", ", errors.Select(e => $"{e.Key} × {e.Value}"))));
var steadyComplete = await deliveries.WaitAsync(() => submitted.Keys.All(deliveries.EventsOf(steadyTenant).Contains) /* one set per poll */, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(120));
var busChanges = deliveries.Of(steadyTenant, nameof(DailyResultChanged));
var watchComplete = await deliveries.WaitAsync(() => busChanges.All(c => watched.ContainsKey(c.MessageId) && streamed.ContainsKey(c.MessageId)),
    TimeSpan.Zero, TimeSpan.FromSeconds(300));
await stopWatching.CancelAsync();
await watching;
await streaming;

var punchesSeen = deliveries.Of(steadyTenant, nameof(PunchRecorded));
var punchLag = Lags.Of(punchesSeen.Where(d => measured.ContainsKey(d.EventId!.Value)).Select(d => d.Lag));
var changeLag = Lags.Of(busChanges.Where(d => d.OccurredAt >= measureFrom).Select(d => d.Lag));
var watchLag = Lags.Of(watched.Values.Where(w => w.OccurredAt >= measureFrom).Select(w => w.Received - w.OccurredAt));
var sseLag = Lags.Of(streamed.Values.Where(w => w.OccurredAt >= measureFrom).Select(w => w.Received - w.OccurredAt));
var steadyEventsSeen = deliveries.EventsOf(steadyTenant);
var steadyLost = submitted.Keys.Count(id => !steadyEventsSeen.Contains(id));
var steadyDuplicates = punchesSeen.Concat(busChanges).Sum(d => d.Count - 1);
var watchMissing = busChanges.Count(c => !watched.ContainsKey(c.MessageId));
var sseMissing = busChanges.Count(c => !streamed.ContainsKey(c.MessageId));
var via = options.ViaGateway ? "through the gateway" : "daily-results";
Console.WriteLine($"  commit → bus consumer, PunchRecorded:       {Lags.Line(punchLag)}");
Console.WriteLine($"  commit → bus consumer, DailyResultChanged:  {Lags.Line(changeLag)}");
Console.WriteLine($"  commit → WatchDailyResults ({via}): {Lags.Line(watchLag)}");
Console.WriteLine($"  commit → SSE /api/daily-results/changes ({via}): {Lags.Line(sseLag)}");
var steadyEnd = measureFrom + TimeSpan.FromSeconds(steadySeconds);
// Whether the lag is steady or grows (the relay falling behind): PunchRecorded lag by when the punch was committed.
var bucket = TimeSpan.FromSeconds(Math.Max(1, Math.Round(steadySeconds / 6)));
Console.WriteLine($"  PunchRecorded lag by commit time ({bucket.TotalSeconds:0} s buckets from the measurement's start): " + string.Join("; ",
    punchesSeen.Where(d => measured.ContainsKey(d.EventId!.Value)).GroupBy(d => (int)((d.OccurredAt - measureFrom) / bucket)).OrderBy(g => g.Key)
        .Select(g => { var h = Lags.Of(g.Select(d => d.Lag)); return $"{g.Key * bucket.TotalSeconds:0}s: {g.Count()} p50 {Lags.Ms(h, 50):F0} ms p99 {Lags.Ms(h, 99):F0} ms"; })));
// While the punches were submitted, what the relay delivered (a relay that keeps up delivers the submit rate).
var duringSubmit = punchesSeen.Concat(busChanges).Count(d => d.FirstReceived >= measureFrom && d.FirstReceived <= steadyEnd);
var punchesDuringSubmit = punchesSeen.Count(d => d.FirstReceived >= measureFrom && d.FirstReceived <= steadyEnd);
Console.WriteLine($"  delivered while the punches were submitted: {duringSubmit / steadySeconds:N0} messages/s, {punchesDuringSubmit / steadySeconds:N0} punches/s");
// After the last submit, what was still unpublished drains at the relay's full pace for rows of one punch each.
var afterEnd = punchesSeen.Concat(busChanges).Where(d => d.FirstReceived > steadyEnd).ToList();
if (afterEnd.Count > 1)
    Console.WriteLine($"  after the last submit: {afterEnd.Count:N0} messages still arrived over {(afterEnd.Max(d => d.FirstReceived) - steadyEnd).TotalSeconds:F1} s = " +
                      $"{afterEnd.Count / (afterEnd.Max(d => d.FirstReceived) - steadyEnd).TotalSeconds:N0} messages/s, " +
                      $"{afterEnd.Count(d => d.Kind == nameof(PunchRecorded)) / (afterEnd.Max(d => d.FirstReceived) - steadyEnd).TotalSeconds:N0} punches/s (the relay's drain of {options.SteadyBatch}-punch outbox rows)");
// The same for daily-results' consumer, as its WatchDailyResults subscriber sees it.
var watchedDuring = watched.Values.Count(w => w.Received >= measureFrom && w.Received <= steadyEnd);
var watchedAfter = watched.Values.Where(w => w.Received > steadyEnd).ToList();
Console.WriteLine($"  WatchDailyResults: {watchedDuring / steadySeconds:N0} changes/s while the punches were submitted (the bus carried {busChanges.Count(d => d.OccurredAt >= measureFrom) / steadySeconds:N0}/s)" +
                  (watchedAfter.Count > 1 ? $", then {watchedAfter.Count:N0} more over {(watchedAfter.Max(w => w.Received) - steadyEnd).TotalSeconds:F1} s = {watchedAfter.Count / (watchedAfter.Max(w => w.Received) - steadyEnd).TotalSeconds:N0}/s" : ""));
Console.WriteLine($"  PunchRecorded: {submitted.Count:N0} expected (warm-up included), {punchesSeen.Count:N0} delivered, lost {steadyLost}" +
                  $"{(steadyComplete ? "" : " (gave up waiting after 120 s)")}; DailyResultChanged: {busChanges.Count:N0} on the bus, " +
                  $"{watched.Count:N0} on the watch stream, {streamed.Count:N0} on the SSE stream, {watchMissing} / {sseMissing} of the bus's not on them" +
                  $"{(watchComplete ? "" : " when the bench stopped waiting (300 s)")}; " +
                  $"duplicate deliveries {steadyDuplicates}; load {steadyLoadBefore} → {steadyLoadAfter}");

// 3. Relay throughput: a backlog written while the broker is down, drained once it is back.
Console.WriteLine();
double? drainRate = null;
if (options.Backlog > 0)
{
    var backlogLoadBefore = ProcFs.LoadAverage();
    // The relay's passes that gave up waiting for the broker's confirms (OutboxRelay's TimeoutException), from punch-ledger's log (the AppHost keeps the resources' logs).
    var failedPasses = new ConcurrentQueue<string>();
    using var stopLogs = new CancellationTokenSource();
    var ledgerResource = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "punch-ledger");
    var logs = Task.Run(async () =>
    {
        try
        {
            await foreach (var lines in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(ledgerResource).WithCancellation(stopLogs.Token))
                foreach (var line in lines.Where(l => l.Content.Contains("did not confirm", StringComparison.Ordinal)))
                    failedPasses.Enqueue(line.Content);
        }
        catch (OperationCanceledException) { }
    });
    await ResourceCommandAsync("messaging", KnownResourceCommands.StopCommand, s => s is "Exited" or "Finished");
    var backlogEvents = new HashSet<Guid>();
    var submitting = Stopwatch.StartNew();
    for (var done = 0; done < options.Backlog; done += options.BacklogBatch)
    {
        var batch = new SubmitPunchesRequest();
        for (var i = done; i < Math.Min(options.Backlog, done + options.BacklogBatch); i++)
            batch.Punches.Add(backlogPersons.NextPunch(i % backlogPersons.Count, Random.Shared).Punch);
        var answer = await ledger.SubmitPunchesAsync(batch, Call(backlogTenant));
        foreach (var outcome in answer.Outcomes)
            if (outcome.Outcome == PunchOutcomeKind.Accepted) backlogEvents.Add(Guid.Parse(outcome.EventId));
            else errors.AddOrUpdate("backlog " + outcome.ErrorCode, 1, (_, n) => n + 1);
    }
    Console.WriteLine($"backlog: broker stopped; {backlogEvents.Count:N0} punches accepted in {submitting.Elapsed.TotalSeconds:F1} s " +
                      $"(SubmitPunches of {options.BacklogBatch}); {deliveries.Of(backlogTenant).Count} of their messages delivered meanwhile");
    var startCommand = DateTimeOffset.UtcNow;
    await ResourceCommandAsync("messaging", KnownResourceCommands.StartCommand, null);
    var brokerUp = DateTimeOffset.UtcNow;
    var backlogComplete = await deliveries.WaitAsync(() => backlogEvents.IsSubsetOf(deliveries.EventsOf(backlogTenant)), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(600));
    var drained = deliveries.Of(backlogTenant);
    var first = drained.Min(d => d.FirstReceived);
    var last = drained.Max(d => d.FirstReceived);
    drainRate = (drained.Count - 1) / (last - first).TotalSeconds;
    var backlogLost = backlogEvents.Count - backlogEvents.Count(deliveries.EventsOf(backlogTenant).Contains);
    Console.WriteLine($"  broker healthy {(brokerUp - startCommand).TotalSeconds:F1} s after the start command; first message {(first - brokerUp).TotalSeconds:F1} s later " +
                      $"(the relay's retry back-off), last {(last - brokerUp).TotalSeconds:F1} s after the broker was healthy");
    Console.WriteLine($"  drained {drained.Count:N0} messages ({drained.Count(d => d.Kind == nameof(PunchRecorded)):N0} PunchRecorded, " +
                      $"{drained.Count(d => d.Kind == nameof(DailyResultChanged)):N0} DailyResultChanged) from first to last in {(last - first).TotalSeconds:F2} s = " +
                      $"{drainRate:N0} messages/s; {drained.Count / (last - brokerUp).TotalSeconds:N0}/s counted from the broker's health; " +
                      $"lost {backlogLost}{(backlogComplete ? "" : " (gave up after 600 s)")}, duplicate deliveries {drained.Sum(d => d.Count - 1)}; " +
                      $"load {backlogLoadBefore} → {ProcFs.LoadAverage()}");
    await stopLogs.CancelAsync();
    await logs;
    Console.WriteLine($"  relay passes that timed out waiting for confirms (punch-ledger's log): {failedPasses.Count}" +
                      string.Concat(failedPasses.Take(1).Concat(failedPasses.Skip(Math.Max(1, failedPasses.Count - 1))).Select(l => $"\n    {l}")));
    steadyLost += backlogLost;
}

Console.WriteLine();
Console.WriteLine($"Summary ({Environment.ProcessorCount} cores; load average at start {loadAtStart}, at end {ProcFs.LoadAverage()}):");
Console.WriteLine($"  baseline publish → consume at {options.Rate:N0}/s: p50 {Lags.Ms(baselineLag, 50):F1} ms, p99 {Lags.Ms(baselineLag, 99):F1} ms; " +
                  $"{options.BaselineMessages:N0} at once: {baselineRate:N0} messages/s");
Console.WriteLine($"  steady {achieved:N0} punches/s: commit → consumer PunchRecorded p50 {Lags.Ms(punchLag, 50):F1} ms, p99 {Lags.Ms(punchLag, 99):F1} ms " +
                  $"({Lags.Ms(punchLag, 50) / Lags.Ms(baselineLag, 50):F1}× / {Lags.Ms(punchLag, 99) / Lags.Ms(baselineLag, 99):F1}× the baseline's); " +
                  $"DailyResultChanged p50 {Lags.Ms(changeLag, 50):F1} ms, p99 {Lags.Ms(changeLag, 99):F1} ms; " +
                  $"WatchDailyResults p50 {Lags.Ms(watchLag, 50):F1} ms, p99 {Lags.Ms(watchLag, 99):F1} ms; " +
                  $"SSE p50 {Lags.Ms(sseLag, 50):F1} ms, p99 {Lags.Ms(sseLag, 99):F1} ms ({via})");
if (drainRate is { } rate)
    Console.WriteLine($"  relay drain {rate:N0} messages/s = {rate / baselineRate:F2} × the baseline's {baselineRate:N0}/s");
Console.WriteLine($"  lost {steadyLost}; errors {errors.Values.Sum()}");
await bus.StopAsync();
return steadyLost == 0 && errors.IsEmpty ? 0 : 3;

async Task ResourceCommandAsync(string resource, string command, Func<string?, bool>? until)
{
    using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
    var result = await app.ResourceCommands.ExecuteCommandAsync(resource, command, cancel.Token);
    if (!result.Success) throw new InvalidOperationException($"{command} {resource}: {result.Message}");
    if (until is null) await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancel.Token);
    else await app.ResourceNotifications.WaitForResourceAsync(resource, e => until(e.Snapshot.State?.Text), cancel.Token);
}
