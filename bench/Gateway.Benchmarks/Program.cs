extern alias AppHostProject;

using System.Diagnostics;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Gateway.Benchmarks;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Hosting;
using HrmsAttendance.Hosting.Services;
using HrmsAttendance.Hosting.Testing;
using HrmsAttendance.Tokens;
using static HrmsAttendance.Gateway.Benchmarks.Measurements;
using AppHostEntryPoint = AppHostProject::Program;
using GatewayTokens = AppHostProject::HrmsAttendance.AppHost.GatewayTokens;

// What the gateway adds to a call, in one run, against the same running services: the AppHost's own topology
// (postgres, redis, rabbitmq, punch-ledger, identity-mapping, daily-results, gateway) booted as the distributed
// tests boot it, then each workload called
//   (a) directly on the service's gRPC port, with the identity headers the gateway would set (x-tenant-id, x-principal-id);
//   (b) through the gateway's gRPC port, with a bearer token (authenticate, authorize, Redis rate limit, forward over h2c).
// Workloads: SubmitPunch (a real write every call) and ListDailyResults (a person with 20 days of results).
// Per workload: warm-up, then per round N sequential calls on each path, the paths interleaved call by call (p50, p99
// per call), and S seconds per path with C concurrent callers, the paths interleaved in one-second slices (calls/s);
// which path goes first alternates between rounds; medians over the rounds.
// The gateway's rate limits are raised to 1,000,000 (burst and per second) so they never throttle the benchmark.
// Usage: dotnet run -c Release --project bench/Gateway.Benchmarks
//        [-- --calls 1000 --warmup-calls 300 --seconds 5 --concurrency 8 --rounds 3 --days 20 --persons 2000]
var options = BenchmarkOptions.Parse(args);
Console.WriteLine($"gateway benchmark: {options}");

// The AppHost runs the newest Debug/Release build of each project (no-build): say which, since a Debug build would skew
// the numbers. Read just before the start, when the launcher picks them.
var builds = new[] { ("services/PunchLedger", "PunchLedger"), ("services/DailyResults", "DailyResults"), ("gateway", "Gateway") }
    .Select(p => Path.GetRelativePath(RepositoryLayout.Root, RepositoryLayout.ServiceAssembly(p.Item1, p.Item2))).ToList();
Console.WriteLine("builds: " + string.Join(", ", builds));
if (builds.Any(b => b.Contains("/Debug/", StringComparison.Ordinal)))
    Console.WriteLine("WARNING: a Debug build is newer than the Release one and will run; `dotnet run -c Release` rebuilds Release when sources change.");

var output = new List<string>();
var boot = Stopwatch.StartNew();
await using var app = await DistributedApplicationTestingBuilder.CreateAsync<AppHostEntryPoint>(
    configure: RaiseGatewayRateLimits,
    output: line => { lock (output) output.Add(line); });
try
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
    await app.StartAsync(timeout.Token);
    foreach (var resource in new[] { "punch-ledger", "daily-results", "gateway" })
        await app.WaitForResourceHealthyAsync(resource, timeout.Token);
}
catch (Exception e)
{
    lock (output) Console.Error.WriteLine(string.Join(Environment.NewLine, output));
    Console.Error.WriteLine($"The AppHost topology did not start: {e.Message}");
    return 1;
}
Console.WriteLine($"topology healthy in {boot.Elapsed.TotalSeconds:F1} s");

var tenant = Guid.NewGuid();
const string principal = "bench";

using var ledgerChannel = GrpcChannel.ForAddress(app.GetEndpoint("punch-ledger", ProjectResource.GrpcEndpointName));
using var resultsChannel = GrpcChannel.ForAddress(app.GetEndpoint("daily-results", ProjectResource.GrpcEndpointName));
using var gatewayChannel = GrpcChannel.ForAddress(app.GetEndpoint("gateway", ProjectResource.GrpcEndpointName));

var direct = new CallPath("direct", new PunchLedgerClient(ledgerChannel), new DailyResultsClient(resultsChannel),
    new Metadata { { "x-tenant-id", tenant.ToString("D") }, { "x-principal-id", principal } });
var token = new AccessTokenIssuer(GatewayTokens.DevelopmentSettings(app.Options.DataDirectory))
    .Issue(new AccessTokenClaims(tenant, principal, [AccessRoles.TenantAdmin]), TimeSpan.FromHours(1));
var gateway = new CallPath("gateway", new PunchLedgerClient(gatewayChannel), new DailyResultsClient(gatewayChannel),
    new Metadata { { "authorization", $"Bearer {token}" } });
CallPath[] paths = [direct, gateway];
Console.WriteLine($"direct: punch-ledger {ledgerChannel.Target}, daily-results {resultsChannel.Target}   gateway: {gatewayChannel.Target}");

var listPerson = Guid.NewGuid().ToString("D");
Workload[] workloads =
[
    Workloads.SubmitPunch(new PunchGenerator(options.Persons, seed: 1)),
    Workloads.ListDailyResults(listPerson, options.Days),
];

var samples = new Dictionary<(string Workload, string Path, string Metric), List<double>>();
void Add(string workload, string path, string metric, double value) =>
    (samples.TryGetValue((workload, path, metric), out var list) ? list : samples[(workload, path, metric)] = []).Add(value);
double MedianOf(string workload, string path, string metric) => Median(samples[(workload, path, metric)]);

try
{
    await Workloads.SeedResultsAsync(direct, listPerson, options.Days);
    foreach (var workload in workloads)
    {
        Console.WriteLine();
        Console.WriteLine($"{workload.Name}:");
        // Warm-up, discarded: JIT, connections, pools, plan caches, on both hops.
        await InterleavedAsync(workload, paths, options.WarmupCalls);
        await InterleavedRatesAsync(workload, paths, options.Concurrency, 1);
        for (var round = 1; round <= options.Rounds; round++)
        {
            // Both measurements interleave the paths (call by call; second by second), and which path goes first
            // alternates between rounds, so drift (table growth, GC, other load) does not favour one side.
            CallPath[] ordered = round % 2 == 1 ? [direct, gateway] : [gateway, direct];
            var latencies = await InterleavedAsync(workload, ordered, options.Calls);
            var rates = await InterleavedRatesAsync(workload, ordered, options.Concurrency, options.Seconds);
            for (var k = 0; k < ordered.Length; k++)
            {
                var (path, p50, p99, rate) = (ordered[k].Name, Percentile(latencies[k], 50), Percentile(latencies[k], 99), rates[k]);
                Add(workload.Name, path, "p50", p50);
                Add(workload.Name, path, "p99", p99);
                Add(workload.Name, path, "rate", rate);
                Console.WriteLine($"  round {round}  {path,-8} p50 {p50,7:F3} ms   p99 {p99,7:F3} ms   {rate,8:N0} calls/s ({options.Concurrency} callers)");
            }
        }
    }
}
catch (Exception e)
{
    lock (output) Console.Error.WriteLine(string.Join(Environment.NewLine, output.TakeLast(20)));
    await Task.Delay(TimeSpan.FromSeconds(1)); // the services' console loggers write asynchronously
    foreach (var resource in new[] { "gateway", "punch-ledger", "daily-results" })
    {
        Console.Error.WriteLine($"--- {resource}: last log lines");
        foreach (var line in app.ResourceLogs.GetLogs(resource).TakeLast(15)) Console.Error.WriteLine(line.Text);
    }
    Console.Error.WriteLine($"benchmark failed: {e}");
    return 1;
}

Console.WriteLine();
Console.WriteLine($"Medians over {options.Rounds} rounds; latency of one call alone, in ms; calls/s with {options.Concurrency} concurrent callers:");
Console.WriteLine($"{"",-17} {"direct p50",10} {"p99",7} {"gateway p50",12} {"p99",7} {"added p50",10} {"p99",7} {"direct/s",9} {"gateway/s",10} {"gateway/direct",15}");
foreach (var workload in workloads)
{
    var (dp50, dp99, gp50, gp99) = (MedianOf(workload.Name, "direct", "p50"), MedianOf(workload.Name, "direct", "p99"),
                                    MedianOf(workload.Name, "gateway", "p50"), MedianOf(workload.Name, "gateway", "p99"));
    var (dRate, gRate) = (MedianOf(workload.Name, "direct", "rate"), MedianOf(workload.Name, "gateway", "rate"));
    Console.WriteLine($"{workload.Name,-17} {dp50,10:F3} {dp99,7:F3} {gp50,12:F3} {gp99,7:F3} {gp50 - dp50,10:F3} {gp99 - dp99,7:F3} {dRate,9:N0} {gRate,10:N0} {gRate / dRate,15:F2}");
}
Console.WriteLine("(gateway rate limits raised to 1,000,000 burst and per second for this run, so they never throttled)");
return 0;

static void RaiseGatewayRateLimits(IDistributedApplicationBuilder builder)
{
    var gateway = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway");
    foreach (var scope in new[] { "PerPrincipal", "PerTenant" })
    {
        gateway.Annotations.Add(new EnvironmentAnnotation($"Gateway__RateLimits__{scope}__Capacity", "1000000"));
        gateway.Annotations.Add(new EnvironmentAnnotation($"Gateway__RateLimits__{scope}__RefillPerSecond", "1000000"));
    }
}
