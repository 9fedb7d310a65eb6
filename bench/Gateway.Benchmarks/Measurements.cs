using System.Diagnostics;

namespace HrmsAttendance.Gateway.Benchmarks;

/// <summary>The two measurements, each with the paths interleaved: per-call latency (sequential) and calls/s (concurrent).</summary>
public static class Measurements
{
    /// <summary>
    /// Calls one after another, alternating the paths call by call (A B, B A, A B, …), so both see the same machine at
    /// the same moment; the latency of each from Stopwatch timestamps, in milliseconds, sorted, per path.
    /// </summary>
    public static async Task<double[][]> InterleavedAsync(Workload workload, IReadOnlyList<CallPath> paths, int callsPerPath)
    {
        var latencies = paths.Select(_ => new double[callsPerPath]).ToArray();
        for (var i = 0; i < callsPerPath; i++)
        {
            for (var k = 0; k < paths.Count; k++)
            {
                var p = i % 2 == 0 ? k : paths.Count - 1 - k;
                var start = Stopwatch.GetTimestamp();
                await workload.CallAsync(paths[p]);
                latencies[p][i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        foreach (var l in latencies) Array.Sort(l);
        return latencies;
    }

    /// <summary>
    /// Calls/s of each of <paramref name="callers"/> with <paramref name="concurrency"/> concurrent clients for
    /// <paramref name="seconds"/> in all, in one-second slices rotating through them (A B C, C B A, …); and the CPU
    /// milliseconds per call each group of <paramref name="processes"/> spent while that caller's slices ran.
    /// </summary>
    public static async Task<(double[] Rates, Dictionary<string, double>[] CpuMsPerCall)> InterleavedRatesAsync(
        IReadOnlyList<Func<Task>> callers, int concurrency, double seconds, ProcessCpu processes)
    {
        var slices = Math.Max(1, (int)Math.Round(seconds));
        var calls = new double[callers.Count];
        var elapsed = new double[callers.Count];
        var cpu = callers.Select(_ => ProcessCpu.Groups.ToDictionary(g => g, _ => 0.0)).ToArray();
        for (var i = 0; i < slices; i++)
        {
            for (var k = 0; k < callers.Count; k++)
            {
                var p = i % 2 == 0 ? k : callers.Count - 1 - k;
                var before = processes.Snapshot();
                var (n, s) = await ConcurrentAsync(callers[p], concurrency, seconds / slices);
                foreach (var (group, used) in ProcessCpu.Delta(before, processes.Snapshot()))
                    cpu[p][group] += used;
                calls[p] += n;
                elapsed[p] += s;
            }
        }
        var cpuMsPerCall = cpu.Select((used, k) => used.ToDictionary(u => u.Key, u => u.Value * 1000 / Math.Max(1, calls[k]))).ToArray();
        return (calls.Select((n, k) => n / elapsed[k]).ToArray(), cpuMsPerCall);
    }

    /// <summary><paramref name="concurrency"/> callers in a loop for <paramref name="seconds"/>: calls completed, seconds taken.</summary>
    public static async Task<(long Calls, double Seconds)> ConcurrentAsync(Func<Task> call, int concurrency, double seconds)
    {
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            long n = 0;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await call();
                    n++;
                }
            }
            catch
            {
                stop.Cancel(); // a failing caller ends the measurement at once; its exception surfaces below
                throw;
            }
            return n;
        })).ToArray();
        try { await Task.Delay(TimeSpan.FromSeconds(seconds), stop.Token); }
        catch (OperationCanceledException) { }
        stop.Cancel();
        var counts = await Task.WhenAll(callers);
        return (counts.Sum(), clock.Elapsed.TotalSeconds);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
