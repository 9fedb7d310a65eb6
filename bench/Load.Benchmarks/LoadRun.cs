using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using HdrHistogram;

namespace HrmsAttendance.Load.Benchmarks;

/// <summary>
/// What one stretch of load did: latency of each successful call by operation (HdrHistogram, microseconds), and the
/// failures by operation and gRPC status (or exception type). Written by every client at once.
/// </summary>
public sealed class LoadRecorder
{
    private const long HighestMicroseconds = 120_000_000; // beyond the calls' 30 s deadline
    private readonly LongConcurrentHistogram[] latencies =
        Enum.GetValues<Operation>().Select(_ => new LongConcurrentHistogram(1, HighestMicroseconds, 3)).ToArray();
    private readonly ConcurrentDictionary<string, long> errors = new();
    private readonly ConcurrentDictionary<string, string> firstDetails = new();
    private long completed;

    /// <summary>Calls finished so far, successful or not (the soak reads it for throughput per interval).</summary>
    public long Completed => Interlocked.Read(ref completed);

    public void Success(Operation operation, TimeSpan elapsed)
    {
        latencies[(int)operation].RecordValue(Math.Clamp((long)elapsed.TotalMicroseconds, 1, HighestMicroseconds));
        Interlocked.Increment(ref completed);
    }

    public void Failure(Operation operation, string status, string detail)
    {
        errors.AddOrUpdate($"{operation} {status}", 1, (_, n) => n + 1);
        firstDetails.TryAdd($"{operation} {status}", detail); // why, once per kind: the status alone rarely says
        Interlocked.Increment(ref completed);
    }

    public HistogramBase Latencies(Operation operation) => latencies[(int)operation];

    /// <summary>Every operation's successful calls in one histogram.</summary>
    public HistogramBase AllLatencies()
    {
        var all = new LongHistogram(1, HighestMicroseconds, 3);
        foreach (var histogram in latencies) all.Add(histogram);
        return all;
    }

    public IReadOnlyDictionary<string, long> Errors => errors;

    /// <summary>The first failure's message of each kind in <see cref="Errors"/>.</summary>
    public IReadOnlyDictionary<string, string> FirstDetails => firstDetails;
}

/// <summary>
/// <c>clients</c> concurrent clients, each calling in a loop (one call at a time, no pause) through the gateway's gRPC
/// port until stopped, in groups sharing one HTTP/2 connection (GrpcChannel) each. The load runs on without a break
/// while <see cref="Measure"/> starts a new recorder, so a measurement never includes the ramp-up.
/// </summary>
public sealed class LoadRun : IAsyncDisposable
{
    private readonly GrpcChannel[] channels;
    private readonly Task[] clients;
    private readonly CancellationTokenSource stop = new();
    private LoadRecorder recorder = new();
    private long measuredSince = Stopwatch.GetTimestamp();

    private LoadRun(Uri gateway, int clientCount, int clientsPerConnection, Func<int, Metadata> bearerFor, LoadPersons persons, int submitPercent)
    {
        channels = Enumerable.Range(0, (clientCount + clientsPerConnection - 1) / clientsPerConnection)
            .Select(_ => GrpcChannel.ForAddress(gateway)).ToArray();
        clients = Enumerable.Range(0, clientCount).Select(i =>
        {
            var channel = channels[i / clientsPerConnection];
            var client = new LoadClient(new PunchLedgerClient(channel), new DailyResultsClient(channel), bearerFor(i), persons, submitPercent, seed: i);
            return Task.Run(() => LoopAsync(client));
        }).ToArray();
    }

    public static LoadRun Start(Uri gateway, int clients, int clientsPerConnection, Func<int, Metadata> bearerFor, LoadPersons persons, int submitPercent) =>
        new(gateway, clients, clientsPerConnection, bearerFor, persons, submitPercent);

    /// <summary>From now on the calls count in a new recorder (the previous one, e.g. the warm-up's, is dropped).</summary>
    public LoadRecorder Measure()
    {
        var fresh = new LoadRecorder();
        Volatile.Write(ref recorder, fresh);
        Interlocked.Exchange(ref measuredSince, Stopwatch.GetTimestamp());
        return fresh;
    }

    /// <summary>Stops the clients (each finishes its call in flight) and returns the seconds since <see cref="Measure"/>.</summary>
    public async Task<double> StopAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        return Stopwatch.GetElapsedTime(Interlocked.Read(ref measuredSince)).TotalSeconds;
    }

    private async Task LoopAsync(LoadClient client)
    {
        while (!stop.IsCancellationRequested)
        {
            var operation = client.Pick();
            var start = Stopwatch.GetTimestamp();
            try
            {
                await client.CallAsync(operation);
                Volatile.Read(ref recorder).Success(operation, Stopwatch.GetElapsedTime(start));
            }
            catch (RpcException e)
            {
                Volatile.Read(ref recorder).Failure(operation, e.StatusCode.ToString(), e.Status.Detail);
            }
            catch (Exception e)
            {
                Volatile.Read(ref recorder).Failure(operation, e.GetType().Name, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested) await StopAsync();
        foreach (var channel in channels) channel.Dispose();
        stop.Dispose();
    }
}
