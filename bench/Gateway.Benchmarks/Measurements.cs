using System.Diagnostics;

namespace HrmsAttendance.Gateway.Benchmarks;

/// <summary>The two measurements of one workload on one path: per-call latency (sequential) and calls/s (concurrent).</summary>
public static class Measurements
{
    /// <summary>Calls one after another; the latency of each from Stopwatch timestamps, in milliseconds, sorted.</summary>
    public static async Task<double[]> SequentialAsync(Workload workload, CallPath path, int calls)
    {
        var latencies = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await workload.CallAsync(path);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(latencies);
        return latencies;
    }

    /// <summary><paramref name="concurrency"/> callers in a loop for <paramref name="seconds"/>; completed calls per second.</summary>
    public static async Task<double> ConcurrentAsync(Workload workload, CallPath path, int concurrency, double seconds)
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
                    await workload.CallAsync(path);
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
        return counts.Sum() / clock.Elapsed.TotalSeconds;
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
