using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using Grpc.Net.Client;
using HrmsAttendance.GrpcBenchmarks;
using HrmsAttendance.GrpcBenchmarks.Proto;
using HrmsAttendance.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Throughput of a Grpc.AspNetCore server against grpc-js's, both called by the same .NET client
// (Grpc.Net.Client GrpcChannel + the generated WireTestClient, one channel per server) with the same
// concurrency and message sizes:
//   (1) unary Echo round trips/s     (2) server-streamed Stream messages/s
// (a) wiretest.v1.WireTest on Grpc.AspNetCore, in this process, HTTP/2-only loopback port;
// (b) the same service in grpc-js (tests/interop-node/server.js, its own node process).
// It replaced bench/GrpcWire.Benchmarks (the hand-written runtime the services used before): same scenarios
// and defaults, so its numbers compare with that one's (see README.md, "Benchmarks").
// Usage: dotnet run -c Release --project bench/Grpc.Benchmarks
//        [-- --seconds 5 --warmup 2 --rounds 3 --concurrency 16 --payload 64 --stream-count 1000]
var options = BenchmarkOptions.Parse(args);
Console.WriteLine($"Grpc.AspNetCore benchmark: {options}");

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
await using var app = builder.Build();
app.MapGrpcService<WireBenchService>();
await app.StartAsync();
var oursAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

var proto = Path.Combine(NodeInterop.RepoRoot, "bench/Grpc.Benchmarks/protos/wire_test.proto");
await using var node = await NodeInterop.StartServerAsync("server.js", ["--proto", proto]);

using var ours = GrpcChannel.ForAddress(oursAddress);
using var grpcJs = GrpcChannel.ForAddress(node.Address);
Console.WriteLine($"ours: {oursAddress} (Kestrel, in-process)   grpc-js: {node.Address} (node {await NodeVersionAsync()})");

var payload = ByteString.CopyFrom(Enumerable.Range(0, options.PayloadBytes).Select(i => (byte)i).ToArray());
var echoRequest = new EchoRequest { Text = "bench", Payload = payload };
var streamRequest = new EchoRequest { Text = "bench", Payload = payload, Count = options.StreamCount };

(string Name, Func<GrpcChannel, CancellationToken, Task<long>> Worker)[] scenarios =
[
    ("unary round trips/s", async (channel, stop) =>
    {
        long n = 0;
        while (!stop.IsCancellationRequested)
        {
            var reply = await new WireTest.WireTestClient(channel).EchoAsync(echoRequest);
            if (reply.Payload.Length != options.PayloadBytes) throw new InvalidOperationException("bad echo");
            n++;
        }
        return n;
    }),
    ("server-streamed messages/s", async (channel, stop) =>
    {
        long n = 0;
        while (!stop.IsCancellationRequested)
        {
            using var call = new WireTest.WireTestClient(channel).Stream(streamRequest);
            while (await call.ResponseStream.MoveNext(CancellationToken.None)) n++;
        }
        return n;
    }),
];
(string Name, GrpcChannel Channel)[] targets = [("ours", ours), ("grpc-js", grpcJs)];

var results = new Dictionary<(string, string), List<double>>();
foreach (var (scenario, worker) in scenarios)
{
    foreach (var (target, channel) in targets)
        await MeasureAsync(channel, worker, options.WarmupSeconds); // warm-up, discarded
    for (var round = 1; round <= options.Rounds; round++)
    {
        // Alternate which target goes first, so drift (thermal, GC) does not favour one side.
        foreach (var (target, channel) in round % 2 == 1 ? targets : targets.Reverse())
        {
            var rate = await MeasureAsync(channel, worker, options.Seconds);
            (results.TryGetValue((scenario, target), out var list) ? list : results[(scenario, target)] = []).Add(rate);
            Console.WriteLine($"  round {round}  {scenario,-27} {target,-8} {rate,12:N0}");
        }
    }
}

Console.WriteLine();
Console.WriteLine($"{"median of " + options.Rounds,-29} {"ours",12} {"grpc-js",12} {"ours/grpc-js",13}   (ours = Grpc.AspNetCore)");
foreach (var (scenario, _) in scenarios)
{
    var o = Median(results[(scenario, "ours")]);
    var j = Median(results[(scenario, "grpc-js")]);
    Console.WriteLine($"{scenario,-29} {o,12:N0} {j,12:N0} {o / j,13:F2}");
}

await app.StopAsync();
return;

async Task<double> MeasureAsync(GrpcChannel channel, Func<GrpcChannel, CancellationToken, Task<long>> worker, double seconds)
{
    using var stop = new CancellationTokenSource();
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(() => worker(channel, stop.Token))).ToArray();
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    stop.Cancel();
    var counts = await Task.WhenAll(workers);
    return counts.Sum() / clock.Elapsed.TotalSeconds;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static async Task<string> NodeVersionAsync()
{
    using var process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
    var version = (await process.StandardOutput.ReadToEndAsync()).Trim();
    await process.WaitForExitAsync();
    return version;
}
