extern alias AppHostProject;

using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Gateway.Benchmarks;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using static HrmsAttendance.Gateway.Benchmarks.Measurements;
using AppHostEntryPoint = AppHostProject::Program;
using DevelopmentTokens = AppHostProject::HrmsAttendance.AppHost.Extensions.DevelopmentTokens;

// What the gateway adds to a call, in one run, against the same running services: the real AppHost (postgres, redis,
// rabbitmq, migrations, punch-ledger, identity-mapping, daily-results, gateway) booted with Aspire.Hosting.Testing in a
// fresh temporary data directory, then
//  part 1, per workload (SubmitPunch: a real write every call; ListDailyResults: a person with 20 days of results):
//   (a) directly on the service's gRPC port, with a bearer token (the service validates it);
//   (b) through the gateway's gRPC port with the same token (JwtBearer, policy, Redis token buckets, YARP over h2c; the
//       service validates the forwarded token again);
//   latency of sequential calls (p50, p99; the paths interleaved call by call) and calls/s with C concurrent callers
//   (interleaved in one-second slices), which path goes first alternating between rounds; medians over the rounds;
//  part 2, SubmitPunch calls/s with N concurrent clients (N = 2, 8, 32) through the gateway, directly to punch-ledger,
//   and at the kernel's single door (staffing.submit_time_punch_event) straight through Npgsql on N connections,
//   the three interleaved in one-second slices.
// The gateway's rate limits are raised to 1,000,000 (burst and per second) so they never throttle the benchmark.
// Usage: dotnet run -c Release --project bench/Gateway.Benchmarks
//        [-- --calls 600 --warmup-calls 200 --seconds 4 --concurrency 8 --rounds 3 --days 20 --persons 2000 --clients 2,8,32 --e2e-seconds 4]
// The ceiling's bare YARP hop runs in a process of its own: this executable, started again (BareProxy.StartProcessAsync).
if (args is ["--bare-proxy", ..]) return await BareProxy.ServeUntilStdinClosesAsync(args[1..]);
if (args is ["--rules-proxy", ..]) return await RulesProxy.ServeUntilStdinClosesAsync(args[1..]);
var options = BenchmarkOptions.Parse(args);
Console.WriteLine($"gateway benchmark: {options}");
Console.WriteLine($"load average at start: {LoadAverage()}");

var dataDirectory = Directory.CreateTempSubdirectory("hrms-gateway-bench-").FullName;
// Postgres runs as its own user and must traverse the data directory (CreateTempSubdirectory makes it 700).
File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
var boot = Stopwatch.StartNew();
// With the dashboard, as `dotnet run --project AppHost` has it: the services export their traces, metrics and logs to it
// over OTLP, and that export is part of what every call costs. (Without it they would retry against a closed port.)
var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHostEntryPoint>(
[
    $"--AppHost:DataDirectory={dataDirectory}",
    "--AppHost:Fresh=true",
    $"--ASPNETCORE_URLS=http://127.0.0.1:{HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free()}",
    $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free()}",
    $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free()}",
    "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
],
(options, _) =>
{
    options.DisableDashboard = false;
    options.AllowUnsecuredTransport = true;
});
// The resources' own logs stay in the AppHost; the console gets the benchmark's lines and real problems.
builder.Services.AddLogging(logging => logging
    .AddFilter("AppHost.Resources", LogLevel.None)
    .AddFilter("Aspire", LogLevel.Error)
    .AddFilter("Microsoft", LogLevel.Critical)
    .AddFilter("Polly", LogLevel.Error));
var gatewayResource = builder.CreateResourceBuilder<ProjectResource>("gateway");
foreach (var scope in new[] { "PerPrincipal", "PerTenant" })
    gatewayResource.WithEnvironment($"Gateway__RateLimits__{scope}__Capacity", "1000000")
                   .WithEnvironment($"Gateway__RateLimits__{scope}__RefillPerSecond", "1000000");
foreach (var service in new[] { "gateway", "punch-ledger", "daily-results", "identity-mapping" })
    foreach (var (name, value) in options.ServiceEnvironment)
        builder.CreateResourceBuilder<ProjectResource>(service).WithEnvironment(name, value);
await using var app = await builder.BuildAsync();
try
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
    await app.StartAsync(timeout.Token);
    foreach (var resource in new[] { "punch-ledger", "daily-results", "gateway" })
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
}
catch (Exception e)
{
    Console.Error.WriteLine($"The AppHost topology did not start: {e.Message}");
    return 1;
}
Console.WriteLine($"topology healthy in {boot.Elapsed.TotalSeconds:F1} s");

// The processes whose CPU each call costs: this one, and each resource's process tree as DCP reports it.
var pids = new Dictionary<int, string> { [Environment.ProcessId] = "client" };
foreach (var (resource, group) in new[] { ("gateway", "gateway"), ("punch-ledger", "punch-ledger"), ("postgres", "postgres"), ("redis", "redis"), ("daily-results", "daily-results"), ("aspire-dashboard", "dashboard") })
    if (app.ResourceNotifications.TryGetCurrentState(resource, out var resourceState)
        && resourceState.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid)
        pids[Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)] = group;
    else
        Console.WriteLine($"  (no process id for {resource}: its CPU is not counted)");

var tenant = Guid.NewGuid();
const string principal = "bench";

using var ledgerChannel = GrpcChannel.ForAddress(app.GetEndpoint("punch-ledger", "grpc"));
using var resultsChannel = GrpcChannel.ForAddress(app.GetEndpoint("daily-results", "grpc"));
using var gatewayChannel = GrpcChannel.ForAddress(app.GetEndpoint("gateway", "grpc"));

// The AppHost signs with a key it keeps in the data directory (AppHost/Extensions/DevelopmentTokens.cs): the same file here.
// The services validate the token too, so the direct path sends the same token the gateway path does.
var tokenSettings = DevelopmentTokens.DevelopmentSettings(dataDirectory);
var token = new AccessTokenIssuer(tokenSettings)
    .Issue(new AccessTokenClaims(tenant, principal, [AccessRoles.TenantAdmin]), TimeSpan.FromHours(1));
var bearer = new Metadata { { "authorization", $"Bearer {token}" } };
var direct = new CallPath("direct", new PunchLedgerClient(ledgerChannel), new DailyResultsClient(resultsChannel), bearer);
var gateway = new CallPath("gateway", new PunchLedgerClient(gatewayChannel), new DailyResultsClient(gatewayChannel), bearer);
// The ceilings: the same calls through one bare YARP hop (BareProxy) in a process of its own, with the same token; and
// through the least gateway the rules allow (RulesProxy: the bare hop + telemetry, JwtBearer, a policy, the Redis take),
// configured by the gateway's own environment.
var upstreams = new Dictionary<string, Uri>
{
    ["/attendance.ledger.v1.PunchLedger/"] = app.GetEndpoint("punch-ledger", "grpc"),
    ["/attendance.results.v1.DailyResults/"] = app.GetEndpoint("daily-results", "grpc"),
};
await using var bareProxy = await BareProxy.StartProcessAsync(upstreams);
pids[bareProxy.ProcessId] = "bare-proxy";
var gatewayEnvironment = app.ResourceNotifications.TryGetCurrentState("gateway", out var gatewayResourceState)
    ? gatewayResourceState.Snapshot.EnvironmentVariables.Where(v => v.Value is not null)
        .Where(v => !v.Name.StartsWith("Kestrel__", StringComparison.Ordinal) && v.Name is not ("ASPNETCORE_URLS" or "HTTP_PORTS" or "HTTPS_PORTS"))
        .Select(v => new KeyValuePair<string, string>(v.Name, v.Value ?? ""))
        .Append(new("OTEL_SERVICE_NAME", "rules-proxy"))
        .ToList()
    : throw new InvalidOperationException("no state for the gateway");
await using var rulesProxy = await BareProxy.StartProcessAsync(upstreams, "--rules-proxy", gatewayEnvironment);
pids[rulesProxy.ProcessId] = "rules-proxy";
var processCpu = new ProcessCpu(pids);
using var bareChannel = GrpcChannel.ForAddress(bareProxy.Address);
var bare = new CallPath("bare", new PunchLedgerClient(bareChannel), new DailyResultsClient(bareChannel), direct.Headers);
using var rulesChannel = GrpcChannel.ForAddress(rulesProxy.Address);
var rules = new CallPath("rules", new PunchLedgerClient(rulesChannel), new DailyResultsClient(rulesChannel), direct.Headers);
CallPath[] paths = [direct, gateway, bare, rules];
Console.WriteLine($"direct: punch-ledger {ledgerChannel.Target}, daily-results {resultsChannel.Target}   gateway: {gatewayChannel.Target}   bare YARP: {bareChannel.Target}   rules: {rulesChannel.Target}");

// The ledger records punches of the tenant's registered, active persons only: register them first.
using var identityChannel = GrpcChannel.ForAddress(app.GetEndpoint("identity-mapping", "grpc"));
var persons = await Workloads.CreatePersonsAsync(new IdentityMappingClient(identityChannel), bearer, options.Persons + 1);
var punches = new PunchGenerator(persons[1..], seed: 1);
var listPerson = persons[0];
Workload[] workloads = [Workloads.SubmitPunch(punches), Workloads.ListDailyResults(listPerson, options.Days)];

var samples = new Dictionary<(string Workload, string Path, string Metric), List<double>>();
void Add(string workload, string path, string metric, double value) =>
    (samples.TryGetValue((workload, path, metric), out var list) ? list : samples[(workload, path, metric)] = []).Add(value);
double MedianOf(string workload, string path, string metric) => Median(samples[(workload, path, metric)]);
var endToEnd = new List<(int Clients, double Gateway, double Direct, double Door, double Bare, double Rules)>();
var endToEndCpu = new List<(int Clients, Dictionary<string, double>[] MsPerCall)>();
var parts = new List<(string Step, double P50, double P99)>();

try
{
    await Workloads.SeedResultsAsync(direct, listPerson, options.Days);
    foreach (var workload in workloads)
    {
        Console.WriteLine();
        Console.WriteLine($"{workload.Name}:");
        // Warm-up, discarded: JIT, connections, pools, plan caches, on both hops.
        await InterleavedAsync(workload, paths, options.WarmupCalls);
        Func<Task>[] callsOf(CallPath[] ordered) => ordered.Select(path => (Func<Task>)(() => workload.CallAsync(path))).ToArray();
        await InterleavedRatesAsync(callsOf(paths), options.Concurrency, 1, processCpu);
        for (var round = 1; round <= options.Rounds; round++)
        {
            CallPath[] ordered = [.. paths.Skip(round % paths.Length), .. paths.Take(round % paths.Length)]; // who goes first rotates
            var latencies = await InterleavedAsync(workload, ordered, options.Calls);
            var (rates, cpuMsPerCall) = await InterleavedRatesAsync(callsOf(ordered), options.Concurrency, options.Seconds, processCpu);
            for (var k = 0; k < ordered.Length; k++)
            {
                var (path, p50, p99, rate) = (ordered[k].Name, Percentile(latencies[k], 50), Percentile(latencies[k], 99), rates[k]);
                Add(workload.Name, path, "p50", p50);
                Add(workload.Name, path, "p99", p99);
                Add(workload.Name, path, "rate", rate);
                foreach (var (group, ms) in cpuMsPerCall[k]) Add(workload.Name, path, "cpu " + group, ms);
                Console.WriteLine($"  round {round}  {path,-8} p50 {p50,7:F3} ms   p99 {p99,7:F3} ms   {rate,8:N0} calls/s ({options.Concurrency} callers)");
            }
        }
    }

    // Part 2: SubmitPunch end to end with N clients, and the door alone on N connections.
    Console.WriteLine();
    Console.WriteLine("SubmitPunch end to end:");
    // punch-ledger's own connection string (its NOSUPERUSER NOBYPASSRLS login), as the AppHost handed it over.
    var loginConnection = app.ResourceNotifications.TryGetCurrentState("punch-ledger", out var ledgerState)
        && ledgerState.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ConnectionStrings__attendance") is { Value: { Length: > 0 } value }
            ? value
            : throw new InvalidOperationException("punch-ledger has no ConnectionStrings__attendance");
    foreach (var n in options.Clients)
    {
        await using var pool = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(loginConnection)
        {
            MinPoolSize = n,
            MaxPoolSize = n,
        }.ConnectionString).Build();
        var door = new KernelDoor(pool, tenant);
        Func<Task>[] callers =
        [
            () => workloads[0].CallAsync(gateway),
            () => workloads[0].CallAsync(direct),
            () => door.SubmitAsync(punches.Next()),
            () => workloads[0].CallAsync(bare),
            () => workloads[0].CallAsync(rules),
        ];
        await InterleavedRatesAsync(callers, n, 1.5, processCpu); // warm-up: connections and pools at N
        var (rates, cpuMsPerCall) = await InterleavedRatesAsync(callers, n, options.EndToEndSeconds, processCpu);
        endToEnd.Add((n, rates[0], rates[1], rates[2], rates[3], rates[4]));
        endToEndCpu.Add((n, cpuMsPerCall));
        Console.WriteLine($"  N={n,-3} gateway {rates[0],7:N0}/s   direct {rates[1],7:N0}/s   door {rates[2],7:N0}/s   bare {rates[3],7:N0}/s   rules {rates[4],7:N0}/s");
    }

    // Part 3, where the added latency goes, as far as it can be taken apart from outside: the gateway's own steps that
    // cost a round trip or real CPU, timed alone, sequentially, in this process against the same Redis.
    Console.WriteLine();
    Console.WriteLine("the gateway's steps alone:");
    var redisConnection = gatewayEnvironment.FirstOrDefault(v => v.Key == "ConnectionStrings__redis").Value is { Length: > 0 } redisValue
        ? redisValue
        : throw new InvalidOperationException("the gateway has no ConnectionStrings__redis");
    await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redisConnection))
    {
        var buckets = new HrmsAttendance.RateLimiting.ResilientRateLimiter(redis, RulesProxy.UnthrottledLimits());
        parts.Add(await TimeAsync("token buckets (Redis script)", 1000, () => buckets.AcquireAsync(tenant.ToString("D"), "steps").AsTask()));
    }
    var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { MapInboundClaims = false };
    var jwtParameters = AccessTokenValidator.CreateParameters(tokenSettings);
    parts.Add(await TimeAsync("JWT validation (HS256 + claims)", 1000, async () =>
    {
        var result = await jwt.ValidateTokenAsync(token, jwtParameters);
        if (!result.IsValid || !AccessTokenValidator.ReadClaims((Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)result.SecurityToken).IsValid)
            throw new InvalidOperationException("the bench token does not validate");
    }));
    foreach (var (step, p50, p99) in parts) Console.WriteLine($"  {step,-32} p50 {p50,7:F3} ms   p99 {p99,7:F3} ms");
}
catch (Exception e)
{
    foreach (var resource in new[] { "gateway", "punch-ledger", "daily-results" })
        Console.Error.WriteLine($"{resource}: " + (app.ResourceNotifications.TryGetCurrentState(resource, out var state)
            ? $"{state.Snapshot.State?.Text} / {state.Snapshot.HealthStatus}" : "?"));
    Console.Error.WriteLine($"benchmark failed: {e}");
    return 1;
}

Console.WriteLine();
var ceilings = new List<string>();
Console.WriteLine($"Part 1. Medians over {options.Rounds} rounds; latency of one call alone, in ms; calls/s with {options.Concurrency} concurrent callers:");
Console.WriteLine($"{"",-17} {"direct p50",10} {"p99",7} {"gateway p50",12} {"p99",7} {"added p50",10} {"p99",7} {"direct/s",9} {"gateway/s",10} {"gateway/direct",15}");
foreach (var workload in workloads)
{
    var (bp50, bRate) = (MedianOf(workload.Name, "bare", "p50"), MedianOf(workload.Name, "bare", "rate"));
    var (rp50, rRate) = (MedianOf(workload.Name, "rules", "p50"), MedianOf(workload.Name, "rules", "rate"));
    var (dp50, dp99, gp50, gp99) = (MedianOf(workload.Name, "direct", "p50"), MedianOf(workload.Name, "direct", "p99"),
                                    MedianOf(workload.Name, "gateway", "p50"), MedianOf(workload.Name, "gateway", "p99"));
    var (dRate, gRate) = (MedianOf(workload.Name, "direct", "rate"), MedianOf(workload.Name, "gateway", "rate"));
    Console.WriteLine($"{workload.Name,-17} {dp50,10:F3} {dp99,7:F3} {gp50,12:F3} {gp99,7:F3} {gp50 - dp50,10:F3} {gp99 - dp99,7:F3} {dRate,9:N0} {gRate,10:N0} {gRate / dRate,15:F2}");
    ceilings.Add($"{workload.Name,-17} {bp50,10:F3} {bp50 - dp50,10:F3} {bRate,9:N0} {bRate / dRate,12:F2}   {rp50,10:F3} {rp50 - dp50,10:F3} {rRate,9:N0} {rRate / dRate,12:F2}");
}
Console.WriteLine();
Console.WriteLine("Ceilings, same rounds: one bare YARP hop in a process of its own (no auth, no limits, no telemetry), and the least");
Console.WriteLine("gateway the rules allow (RulesProxy: that hop + telemetry to the dashboard, JwtBearer, a policy, the Redis take):");
Console.WriteLine($"{"",-17} {"bare p50",10} {"added p50",10} {"bare/s",9} {"bare/direct",12}   {"rules p50",10} {"added p50",10} {"rules/s",9} {"rules/direct",12}");
foreach (var line in ceilings) Console.WriteLine(line);
Console.WriteLine();
Console.WriteLine($"Part 1, CPU ms per call by process with {options.Concurrency} concurrent callers (medians over the rounds; client = this process):");
Console.WriteLine($"{"",-17} {"path",-8} {string.Join(" ", ProcessCpu.Groups.Select(g => $"{g,13}"))} {"total",8}");
foreach (var workload in workloads)
    foreach (var path in paths)
    {
        var ms = ProcessCpu.Groups.Select(g => MedianOf(workload.Name, path.Name, "cpu " + g)).ToArray();
        Console.WriteLine($"{workload.Name,-17} {path.Name,-8} {string.Join(" ", ms.Select(v => $"{v,13:F3}"))} {ms.Sum(),8:F3}");
    }
Console.WriteLine();
Console.WriteLine("Part 2. SubmitPunch calls/s with N concurrent clients (the door: the kernel function via Npgsql on N connections):");
Console.WriteLine($"{"N",4} {"gateway/s",10} {"direct/s",9} {"door/s",8} {"bare/s",8} {"rules/s",8} {"gateway/direct",15} {"gateway/door",13} {"bare/door",10} {"rules/door",11} {"direct/door",12}");
foreach (var (n, g, d, door, bareRate, rulesRate) in endToEnd)
    Console.WriteLine($"{n,4} {g,10:N0} {d,9:N0} {door,8:N0} {bareRate,8:N0} {rulesRate,8:N0} {g / d,15:F2} {g / door,13:F2} {bareRate / door,10:F2} {rulesRate / door,11:F2} {d / door,12:F2}");
Console.WriteLine();
Console.WriteLine($"CPU ms per SubmitPunch by process (client = this process; {Environment.ProcessorCount} cores):");
Console.WriteLine($"{"N",4} {"path",-8} {string.Join(" ", ProcessCpu.Groups.Select(g => $"{g,13}"))} {"total",8}");
foreach (var (n, msPerCall) in endToEndCpu)
    foreach (var (path, ms) in new[] { "gateway", "direct", "door", "bare", "rules" }.Zip(msPerCall))
        Console.WriteLine($"{n,4} {path,-8} {string.Join(" ", ProcessCpu.Groups.Select(g => $"{ms[g],13:F3}"))} {ms.Values.Sum(),8:F3}");
Console.WriteLine();
Console.WriteLine("Part 3. The gateway's own steps timed alone (sequential, from this process, same Redis):");
foreach (var (step, p50, p99) in parts) Console.WriteLine($"  {step,-32} p50 {p50,7:F3} ms   p99 {p99,7:F3} ms");
Console.WriteLine("(gateway rate limits raised to 1,000,000 burst and per second for this run, so they never throttled)");
Console.WriteLine($"load average at end: {LoadAverage()}");
try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
return 0;

static async Task<(string, double, double)> TimeAsync(string step, int calls, Func<Task> call)
{
    for (var i = 0; i < calls / 5; i++) await call(); // warm-up
    var latencies = new double[calls];
    for (var i = 0; i < calls; i++)
    {
        var start = Stopwatch.GetTimestamp();
        await call();
        latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    Array.Sort(latencies);
    return (step, Percentile(latencies, 50), Percentile(latencies, 99));
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
