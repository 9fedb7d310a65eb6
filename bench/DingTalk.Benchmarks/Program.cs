using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Benchmarks;
using HrmsAttendance.Fakes.DingTalk;

// DingTalk (issue 12 item 8): a backlog of EVENT frames (attendance_check_record, one check record each, as DingTalk
// pushes a punch) from the in-process fake through the connector — WebSocket frame → ResolveIdentities →
// SubmitPunches → ack SUCCESS — timed from publishing the frames to the last SUCCESS ack; against a baseline in the same
// run: the same punches sent straight to punch-ledger's SubmitPunches, one call per frame (the connector's calls without
// DingTalk, identity-mapping and the acks), and the same punches 100 per call (what batching could reach at best).
// --batch 1 stores each frame on its own (one ResolveIdentities + one SubmitPunches per frame: the connector before it
// batched frames that arrive together); the default is the connector's own (DingTalk:BatchMaxFrames, 100).
// Usage: dotnet run -c Release --project bench/DingTalk.Benchmarks [-- --frames 2000 --persons 500 --batch 100]
var options = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
var frames = options.GetValueOrDefault("--frames", 2_000);
var persons = options.GetValueOrDefault("--persons", 500);
var batch = options.GetValueOrDefault("--batch", 100);
Console.WriteLine($"dingtalk benchmark: {frames} frames of 1 check record over {persons} persons, at most {batch} frames a batch; " +
                  $"{Environment.ProcessorCount} cores; load average {ConnectorBenchTopology.LoadAverage()}");

await using var fake = await DingTalkFakeServer.StartAsync();
fake.AckTimeout = TimeSpan.FromMinutes(30); // a backlog is drained, not redelivered while it waits
await using (var topology = await ConnectorBenchTopology.StartAsync("dingtalk-connector",
    ("DingTalk__OpenApiBaseUrl", fake.BaseUrl.ToString()),
    ("DingTalk__TenantScanInterval", "00:00:00.200"),
    ("DingTalk__BatchMaxFrames", batch.ToString(CultureInfo.InvariantCulture))))
{
    CallOptions Call() => topology.Call();
    var personIds = await topology.LinkedPersonsAsync(persons, IdentityProvider.Dingtalk, "D", "du");

    // Frame f: person f % persons, a punch on its day at a second of its own (the baseline's on other days, as many per person-day).
    var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero);
    DateTimeOffset PunchTime(int f, int dayOffset) => day.AddDays(dayOffset).AddHours(1).AddSeconds(f);
    PunchInput Manual(int f, int dayOffset) => new()
    {
        PersonUuid = personIds[f % persons].ToString("D"),
        PunchTime = Timestamp.FromDateTimeOffset(PunchTime(f, dayOffset)),
        PunchType = PunchType.Raw,
        SourceProvider = SourceProvider.Manual,
        RequestId = $"bench-{dayOffset}-{f}",
    };
    var ledger = new PunchLedger.PunchLedgerClient(topology.Ledger);

    // 1. baseline, one punch per SubmitPunches (the connector's call per frame), sequential.
    var single = Stopwatch.StartNew();
    for (var f = 0; f < frames; f++)
    {
        var request = new SubmitPunchesRequest { Punches = { Manual(f, -2) } };
        var response = await ledger.SubmitPunchesAsync(request, Call());
        if (response.AcceptedCount != 1) throw new InvalidOperationException($"baseline: {response.RejectedCount} rejected");
    }
    single.Stop();
    var singleRate = frames / single.Elapsed.TotalSeconds;
    Console.WriteLine($"baseline (SubmitPunches, 1 per call): {frames} punches in {single.Elapsed.TotalSeconds:F2} s = {singleRate:F0} punches/s");

    // 2. baseline, 100 punches per SubmitPunches.
    var hundred = Stopwatch.StartNew();
    foreach (var chunk in Enumerable.Range(0, frames).Chunk(100))
    {
        var request = new SubmitPunchesRequest();
        request.Punches.AddRange(chunk.Select(f => Manual(f, -1)));
        var response = await ledger.SubmitPunchesAsync(request, Call());
        if (response.AcceptedCount != chunk.Length) throw new InvalidOperationException($"baseline: {response.RejectedCount} rejected");
    }
    hundred.Stop();
    var hundredRate = frames / hundred.Elapsed.TotalSeconds;
    Console.WriteLine($"baseline (SubmitPunches, 100 per call): {frames} punches in {hundred.Elapsed.TotalSeconds:F2} s = {hundredRate:F0} punches/s");

    // 3. the connector: the tenant's stream open, then the frames published at once; timed until each is acknowledged SUCCESS.
    var clientId = "dingbench" + Guid.NewGuid().ToString("N")[..8];
    fake.RegisterApp(clientId, "bench-secret");
    var integration = new DingTalkIntegration.DingTalkIntegrationClient(topology.Connector);
    await integration.PutSettingsAsync(new PutSettingsRequest { ClientId = clientId, ClientSecret = "bench-secret", Enabled = true }, Call());
    var waitOpen = Stopwatch.StartNew();
    while (fake.Connections(clientId).OpenNow == 0)
    {
        if (waitOpen.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("the connector did not open the stream");
        await Task.Delay(50);
    }
    var connector = Stopwatch.StartNew();
    for (var f = 0; f < frames; f++)
        fake.PublishCheckRecords(clientId, [(ConnectorBenchTopology.UserId("du", f % persons), PunchTime(f, 0), $"rec-{f}")], eventId: $"evt-{f}");
    while (true)
    {
        var acks = fake.Acks(clientId);
        var done = acks.Where(a => a.Status == "SUCCESS").Select(a => a.EventId).Distinct().Count();
        if (done == frames) break;
        if (connector.Elapsed > TimeSpan.FromMinutes(15)) throw new TimeoutException($"{done} of {frames} frames acknowledged SUCCESS");
        await Task.Delay(20);
    }
    connector.Stop();
    var connectorRate = frames / connector.Elapsed.TotalSeconds;
    var allAcks = fake.Acks(clientId);
    var status = await integration.GetStatusAsync(new GetStatusRequest(), Call());
    Console.WriteLine($"connector (frame → ledger → ack): {frames} frames in {connector.Elapsed.TotalSeconds:F2} s = {connectorRate:F0} frames/s " +
                      $"({allAcks.Count} acks: {allAcks.Count(a => a.Status == "LATER")} LATER; {fake.Connections(clientId).Opened} connection(s); " +
                      $"status: {status.EventsAcknowledged} acknowledged, {status.EventsDeferred} deferred)");
    Console.WriteLine($"ratio connector / baseline 1 per call: {connectorRate / singleRate:F2}; connector / baseline 100 per call: {connectorRate / hundredRate:F2}");
    Console.WriteLine($"load average {ConnectorBenchTopology.LoadAverage()}");

    // Every frame's punch is in the ledger once: a sample of persons has exactly its DingTalk punches.
    foreach (var i in Enumerable.Range(0, 20).Select(k => k * (persons / 20)))
    {
        using var call = ledger.ListPunches(new ListPunchesRequest
        {
            PersonUuid = personIds[i].ToString("D"),
            FromDate = day.AddDays(-1).ToString("yyyy-MM-dd"),
            ToDate = day.AddDays(2).ToString("yyyy-MM-dd"),
        }, Call());
        var dingtalk = 0;
        await foreach (var punch in call.ResponseStream.ReadAllAsync()) if (punch.SourceProvider == SourceProvider.Dingtalk) dingtalk++;
        var expected = Enumerable.Range(0, frames).Count(f => f % persons == i);
        if (dingtalk != expected) throw new InvalidOperationException($"person {i} has {dingtalk} DingTalk punches, not {expected}");
    }
    Console.WriteLine("sample check: 20 persons have exactly their DingTalk punches, once each");
}
return 0;
