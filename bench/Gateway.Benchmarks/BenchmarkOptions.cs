using System.Globalization;

namespace HrmsAttendance.Gateway.Benchmarks;

/// <param name="Calls">Sequential calls per latency measurement (p50/p99 come from these).</param>
/// <param name="WarmupCalls">Sequential calls per workload and path before the first round, discarded.</param>
/// <param name="Seconds">Duration of each throughput measurement.</param>
/// <param name="Concurrency">Concurrent callers in each throughput measurement.</param>
/// <param name="Rounds">Rounds per workload; each round measures direct and gateway back to back, order alternating.</param>
/// <param name="Days">Days of daily results the ListDailyResults person holds (seeded before the rounds).</param>
/// <param name="Persons">Persons the SubmitPunch generator spreads its punches over.</param>
public sealed record BenchmarkOptions(int Calls, int WarmupCalls, double Seconds, int Concurrency, int Rounds, int Days, int Persons)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(Calls: 1000, WarmupCalls: 300, Seconds: 5, Concurrency: 8, Rounds: 3, Days: 20, Persons: 2000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--calls" => options with { Calls = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup-calls" => options with { WarmupCalls = int.Parse(value, CultureInfo.InvariantCulture) },
                "--seconds" => options with { Seconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--days" => options with { Days = int.Parse(value, CultureInfo.InvariantCulture) },
                "--persons" => options with { Persons = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (args.Length % 2 == 1) throw new ArgumentException($"option {args[^1]} needs a value");
        if (options.Calls < 100) throw new ArgumentException("--calls must be at least 100 (a p99 needs them)");
        return options;
    }

    public override string ToString() =>
        $"{Calls} sequential calls (latency) and {Seconds}s with {Concurrency} concurrent callers (calls/s) per measurement, " +
        $"{WarmupCalls} warm-up calls, {Rounds} rounds, ListDailyResults over {Days} days, SubmitPunch over {Persons} persons";
}
