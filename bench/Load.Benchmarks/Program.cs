extern alias AppHostProject;

using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Load.Benchmarks;
using HrmsAttendance.Tokens;
using DevelopmentTokens = AppHostProject::HrmsAttendance.AppHost.Extensions.DevelopmentTokens;

// Load through the gateway (issue 15): the real AppHost topology (postgres, redis, rabbitmq, migrations, punch-ledger,
// identity-mapping, daily-results, gateway, the dashboard) booted with Aspire.Hosting.Testing as bench/Gateway.Benchmarks
// does, the gateway's rate limits raised to 1,000,000 per second through its configuration, persons registered through
// the gateway (CreatePerson), then
//  1. each load level: N concurrent clients (each its own principal and token, calling in a loop) for --seconds after a
//     warm-up, a mix of SubmitPunch (a new punch, a unique request_id) and reads (ListDailyResults over 31 days,
//     ListPunches over 7 days); calls/s, p50/p99 latency per operation and in all, errors by operation and status;
//  2. the soak: --soak-clients clients for --soak-minutes, sampling every service process's working set and thread count
//     every --sample-seconds: first vs last minute, least-squares slope, growth flagged.
// Usage: dotnet run -c Release --project bench/Load.Benchmarks [-- --seconds 60 --clients 50,200,500 --soak-minutes 10 …]
LoadOptions options;
try { options = LoadOptions.Parse(args); }
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
Console.WriteLine($"load benchmark: {options}");
Console.WriteLine($"{Environment.ProcessorCount} cores; load average at start: {ProcFs.LoadAverage()}");

var boot = Stopwatch.StartNew();
if (await Topology.BootAsync("hrms-load-bench-") is not { } booted) return 1;
await using var _ = booted; // stops the topology and deletes its data directory at exit
var (app, dataDirectory) = booted;
Console.WriteLine($"topology healthy in {boot.Elapsed.TotalSeconds:F1} s; gateway rate limits raised to {Topology.RaisedRateLimit:N0} (capacity and per second, per tenant and per principal)");

var gateway = app.GetEndpoint("gateway", "grpc");
var servicePids = Topology.Services.ToDictionary(s => s.Resource, s => Topology.ServiceProcessId(app, s.Resource, s.Assembly));
Console.WriteLine($"gateway {gateway}; service processes: {string.Join(", ", servicePids.Select(p => $"{p.Key} {p.Value}"))}");

// Tokens signed with the key the AppHost keeps in the data directory (AppHost/Extensions/DevelopmentTokens.cs).
var issuer = new AccessTokenIssuer(DevelopmentTokens.DevelopmentSettings(dataDirectory));
var tenant = Guid.NewGuid();
Metadata BearerFor(string subject) =>
    new() { { "authorization", "Bearer " + issuer.Issue(new AccessTokenClaims(tenant, subject, [AccessRoles.TenantAdmin]), TimeSpan.FromHours(2)) } };

var runId = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64()))[..8].ToLowerInvariant();
LoadPersons persons;
using (var setupChannel = GrpcChannel.ForAddress(gateway))
{
    var registering = Stopwatch.StartNew();
    persons = await LoadPersons.RegisterAsync(new IdentityMappingClient(setupChannel), BearerFor("load-setup"), options.Persons, runId);
    Console.WriteLine($"{persons.Count} persons registered through the gateway in {registering.Elapsed.TotalSeconds:F1} s (tenant {tenant})");
}
// One token per client and level, minted before the clock starts.
Func<int, Metadata> ClientTokens(string stretch) => i => BearerFor($"load-{stretch}-client-{i}");

var levels = new List<(int Clients, double Seconds, LoadRecorder Recorder, string LoadBefore, string LoadAfter)>();
foreach (var clients in options.Clients)
{
    Console.WriteLine();
    Console.WriteLine($"{clients} clients: {options.WarmupSeconds:0.#} s warm-up, then {options.Seconds:0.#} s measured (load average {ProcFs.LoadAverage()})");
    await using var run = LoadRun.Start(gateway, clients, options.ClientsPerConnection, ClientTokens($"{clients}"), persons, options.SubmitPercent);
    await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds));
    var loadBefore = ProcFs.LoadAverage();
    var recorder = run.Measure();
    await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
    var seconds = await run.StopAsync();
    levels.Add((clients, seconds, recorder, loadBefore, ProcFs.LoadAverage()));
    PrintLevel(clients, seconds, recorder);
}

var soak = new Dictionary<string, List<ProcessSample>>();
var soakThroughput = new List<(double Minutes, double CallsPerSecond, string Load)>();
LoadRecorder? soakRecorder = null;
double soakSeconds = 0;
if (options.SoakMinutes > 0)
{
    Console.WriteLine();
    Console.WriteLine($"soak: {options.SoakClients} clients for {options.SoakMinutes:0.#} min, sampling every {options.SampleSeconds:0.#} s");
    foreach (var (resource, _) in Topology.Services) soak[resource] = [];
    await using var run = LoadRun.Start(gateway, options.SoakClients, options.ClientsPerConnection, ClientTokens("soak"), persons, options.SubmitPercent);
    // The first sample after the soak's own clients have connected, as for the levels.
    await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds));
    soakRecorder = run.Measure();
    var clock = Stopwatch.StartNew();
    var (lastCompleted, lastAt) = (0L, 0.0);
    // Samples at 0, S, 2S, … up to the soak's length.
    var lastSample = (int)Math.Floor(options.SoakMinutes * 60 / options.SampleSeconds + 1e-9);
    for (var sample = 0; sample <= lastSample; sample++)
    {
        var due = TimeSpan.FromSeconds(sample * options.SampleSeconds);
        if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
        var minutes = clock.Elapsed.TotalMinutes;
        var line = new List<string>();
        foreach (var (resource, pid) in servicePids)
        {
            var (workingSet, threads) = ProcFs.MemoryAndThreads(pid);
            soak[resource].Add(new ProcessSample(minutes, workingSet / 1048576.0, threads));
            line.Add($"{resource} {workingSet / 1048576.0,6:F1} MiB {threads,3} thr");
        }
        var completed = soakRecorder.Completed;
        var rate = minutes > lastAt ? (completed - lastCompleted) / ((minutes - lastAt) * 60) : 0;
        (lastCompleted, lastAt) = (completed, minutes);
        soakThroughput.Add((minutes, rate, ProcFs.LoadAverage()));
        Console.WriteLine($"  {minutes,5:F1} min  {rate,6:N0} calls/s  load {ProcFs.LoadAverage(),-15}  {string.Join("   ", line)}");
    }
    soakSeconds = await run.StopAsync();
}

// The summary, in one place to copy.
Console.WriteLine();
Console.WriteLine($"Summary ({Environment.ProcessorCount} cores; mix {options.SubmitPercent}% SubmitPunch, rest ListDailyResults/ListPunches; gateway rate limits raised to {Topology.RaisedRateLimit:N0}/s):");
Console.WriteLine($"{"clients",7} {"seconds",7} {"calls/s",8} {"p50 ms",7} {"p99 ms",7} {"submit/s",9} {"p50",6} {"p99",7} {"daily/s",8} {"p50",6} {"p99",7} {"punches/s",9} {"p50",6} {"p99",7} {"errors",7}  load avg before → after");
foreach (var (clients, seconds, recorder, loadBefore, loadAfter) in levels)
    Console.WriteLine(SummaryLine(clients, seconds, recorder) + $"  {loadBefore} → {loadAfter}");
if (soakRecorder is not null)
    Console.WriteLine(SummaryLine(options.SoakClients, soakSeconds, soakRecorder) + "  (soak)");
foreach (var (label, recorder) in levels.Select(l => ($"{l.Clients} clients", l.Recorder)).Concat(soakRecorder is null ? [] : [("soak", soakRecorder)]))
    Console.WriteLine($"errors, {label}: {(recorder.Errors.Count == 0 ? "none" : string.Join(", ", recorder.Errors.OrderBy(e => e.Key).Select(e => $"{e.Key} × {e.Value} (first: {recorder.FirstDetails[e.Key]})")))}");

var growth = false;
if (soak.Count > 0 && soak.First().Value.Count >= 2)
{
    Console.WriteLine();
    Console.WriteLine($"Soak trend over {soak.First().Value[^1].Minutes:F1} min ({soak.First().Value.Count} samples; growth flagged when both the fitted line and last-vs-first minute rise by > {SoakTrend.GrowthThreshold:P0}):");
    Console.WriteLine($"{"process",-17} {"working set first min",22} {"last min",9} {"slope MiB/min",14} {"",6} {"threads first min",18} {"last min",9} {"slope/min",10} {"",6}");
    foreach (var (resource, samples) in soak)
    {
        var memory = SoakTrend.Of(samples.Select(s => (s.Minutes, s.WorkingSetMiB)).ToList());
        var threads = SoakTrend.Of(samples.Select(s => (s.Minutes, (double)s.Threads)).ToList());
        growth |= memory.Grows || threads.Grows;
        Console.WriteLine($"{resource,-17} {memory.FirstMinute,18:F1} MiB {memory.LastMinute,9:F1} {memory.SlopePerMinute,14:+0.00;-0.00} {(memory.Grows ? "GROWS" : "flat"),6} " +
                          $"{threads.FirstMinute,18:F1} {threads.LastMinute,9:F1} {threads.SlopePerMinute,10:+0.00;-0.00} {(threads.Grows ? "GROWS" : "flat"),6}");
    }
    var rates = soakThroughput.Skip(1).ToList();
    if (rates.Count >= 2)
    {
        var throughput = SoakTrend.Of(rates.Select(r => (r.Minutes, r.CallsPerSecond)).ToList());
        Console.WriteLine($"{"calls/s",-17} {throughput.FirstMinute,18:F0}     {throughput.LastMinute,9:F0} {throughput.SlopePerMinute,14:+0.0;-0.0}");
    }
    Console.WriteLine(growth ? "GROWTH flagged: see the rows marked GROWS." : "no growth trend.");
}
Console.WriteLine($"load average at end: {ProcFs.LoadAverage()}");
var errors = levels.Sum(l => l.Recorder.Errors.Values.Sum()) + (soakRecorder?.Errors.Values.Sum() ?? 0);
return errors == 0 && !growth ? 0 : 3;

static void PrintLevel(int clients, double seconds, LoadRecorder recorder)
{
    foreach (var operation in Enum.GetValues<Operation>())
    {
        var latencies = recorder.Latencies(operation);
        Console.WriteLine($"  {operation,-17} {latencies.TotalCount / seconds,8:N0} calls/s   p50 {Ms(latencies, 50),8:F2} ms   p99 {Ms(latencies, 99),8:F2} ms");
    }
    var all = recorder.AllLatencies();
    Console.WriteLine($"  {"all",-17} {all.TotalCount / seconds,8:N0} calls/s   p50 {Ms(all, 50),8:F2} ms   p99 {Ms(all, 99),8:F2} ms   errors: " +
                      (recorder.Errors.Count == 0 ? "none" : string.Join(", ", recorder.Errors.Select(e => $"{e.Key} × {e.Value}"))));
}

static string SummaryLine(int clients, double seconds, LoadRecorder recorder)
{
    var all = recorder.AllLatencies();
    var cells = Enum.GetValues<Operation>().Select(o => recorder.Latencies(o))
        .Select(h => $"{h.TotalCount / seconds,8:N0} {Ms(h, 50),6:F1} {Ms(h, 99),7:F1}");
    return $"{clients,7} {seconds,7:F0} {all.TotalCount / seconds,8:N0} {Ms(all, 50),7:F1} {Ms(all, 99),7:F1} {string.Join(" ", cells)} {recorder.Errors.Values.Sum(),7}";
}

static double Ms(HdrHistogram.HistogramBase histogram, double percentile) =>
    histogram.TotalCount == 0 ? double.NaN : histogram.GetValueAtPercentile(percentile) / 1000.0;
