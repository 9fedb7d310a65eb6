using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Integrations.WeCom.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Benchmarks;
using HrmsAttendance.Fakes.WeCom;

// WeCom (issue 12 item 8): a 10,000-person tenant's day (two check-ins each: 20,000 records) through the whole path —
// the connector's poll (identity-mapping's linked ids 100 at a time → getcheckindata on the fake, 100 users per call →
// ResolveIdentities → SubmitPunches) into punch-ledger — timed from enabling the integration to the cursor reaching
// now; against a baseline in the same run: the same number of punches sent straight to punch-ledger's SubmitPunches in
// batches of 100 (what the connector does per page, without WeCom and identity-mapping). The corp's call bucket is
// raised out of the way (WeCom's own limit, 600 calls a minute, makes 100 calls ≥ 10 s by itself).
// Usage: dotnet run -c Release --project bench/WeCom.Benchmarks [-- --persons 10000]
var persons = args is ["--persons", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 10_000;
Console.WriteLine($"wecom benchmark: {persons} persons, 2 records each; {Environment.ProcessorCount} cores");

await using var fake = await WeComFakeServer.StartAsync();
await using (var topology = await ConnectorBenchTopology.StartAsync("wecom-connector",
    ("WeCom__ApiBaseUrl", fake.BaseUrl.ToString()),
    ("WeCom__TenantScanInterval", "00:00:00.200"),
    ("WeCom__PollInterval", "01:00:00"),
    ("WeCom__CallsPerSecond", "100000"),
    ("WeCom__CallBurst", "100000")))
{
    CallOptions Call() => topology.Call();

    // The roster: persons, each linked to a WeCom user id, and their day in the fake (hours ago: inside the first window).
    var personIds = await topology.LinkedPersonsAsync(persons, IdentityProvider.Wecom, "W", "wu");
    var corp = "wwbench" + Guid.NewGuid().ToString("N")[..8];
    fake.RegisterCorp(corp, "bench-secret");
    var day = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-10).ToUnixTimeSeconds());
    for (var i = 0; i < persons; i++)
    {
        fake.AddRecord(corp, ConnectorBenchTopology.UserId("wu", i), day.AddSeconds(i % 3600), "上班打卡");
        fake.AddRecord(corp, ConnectorBenchTopology.UserId("wu", i), day.AddHours(8).AddSeconds(i % 3600), "下班打卡");
    }

    // 1. baseline: the same number of punches straight to the ledger, 100 per SubmitPunches.
    var ledger = new PunchLedger.PunchLedgerClient(topology.Ledger);
    var baseline = Stopwatch.StartNew();
    for (var start = 0; start < persons; start += 50)
    {
        var request = new SubmitPunchesRequest();
        for (var i = start; i < Math.Min(start + 50, persons); i++)
            foreach (var (hours, type) in new[] { (-20, PunchType.In), (-12, PunchType.Out) })
                request.Punches.Add(new PunchInput
                {
                    PersonUuid = personIds[i].ToString("D"),
                    PunchTime = Timestamp.FromDateTimeOffset(day.AddHours(hours).AddSeconds(i % 3600)),
                    PunchType = type,
                    SourceProvider = SourceProvider.Manual,
                    RequestId = $"bench-{i}-{hours}",
                });
        var response = await ledger.SubmitPunchesAsync(request, Call());
        if (response.AcceptedCount != request.Punches.Count) throw new InvalidOperationException($"baseline: {response.RejectedCount} rejected");
    }
    baseline.Stop();
    var baselineRate = 2.0 * persons / baseline.Elapsed.TotalSeconds;
    Console.WriteLine($"baseline (SubmitPunches, 100 per call): {2 * persons} punches in {baseline.Elapsed.TotalSeconds:F2} s = {baselineRate:F0} punches/s");

    // 2. the connector: enable the tenant's integration, wait until its cursor reaches the moment it was enabled.
    var integration = new WeComIntegration.WeComIntegrationClient(topology.Connector);
    var enabledAt = DateTimeOffset.UtcNow;
    var connector = Stopwatch.StartNew();
    await integration.PutSettingsAsync(new PutSettingsRequest { CorpId = corp, CorpSecret = "bench-secret", Enabled = true }, Call());
    HrmsAttendance.Contracts.Integrations.WeCom.V1.Status status;
    while (true)
    {
        status = await integration.GetStatusAsync(new GetStatusRequest(), Call());
        if (status.PolledUntil is { } until && until.ToDateTimeOffset() >= enabledAt) break;
        if (connector.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"the poll did not catch up: {status}");
        await Task.Delay(50);
    }
    connector.Stop();
    var stats = fake.Stats(corp);
    var connectorRate = 2.0 * persons / connector.Elapsed.TotalSeconds;
    Console.WriteLine($"connector (poll → ledger): {2 * persons} records in {connector.Elapsed.TotalSeconds:F2} s = {connectorRate:F0} records/s " +
                      $"({stats.CheckinCalls} getcheckindata calls, at most {stats.MostUsersInOneCall} users each; {status.Polls} windows, {status.Failures} failed)");
    Console.WriteLine($"ratio connector / baseline: {connectorRate / baselineRate:F2}");

    // Every record is in the ledger once: a sample of persons has exactly its two WeCom punches.
    foreach (var i in Enumerable.Range(0, 20).Select(k => k * (persons / 20)))
    {
        using var call = ledger.ListPunches(new ListPunchesRequest
        {
            PersonUuid = personIds[i].ToString("D"),
            FromDate = day.AddDays(-2).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd"),
            ToDate = day.AddDays(1).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd"),
        }, Call());
        var wecom = 0;
        await foreach (var punch in call.ResponseStream.ReadAllAsync()) if (punch.SourceProvider == SourceProvider.Wecom) wecom++;
        if (wecom != 2) throw new InvalidOperationException($"person {i} has {wecom} WeCom punches, not 2");
    }
    Console.WriteLine("sample check: 20 persons have exactly their 2 WeCom punches each");
}
return 0;
