using System.Globalization;

namespace HrmsAttendance.Gateway.Benchmarks;

/// <param name="Calls">Sequential calls per latency measurement (p50/p99 come from these).</param>
/// <param name="WarmupCalls">Sequential calls per workload and path before the first round, discarded.</param>
/// <param name="Seconds">Duration of each throughput measurement of part 1.</param>
/// <param name="Concurrency">Concurrent callers in each throughput measurement of part 1.</param>
/// <param name="Rounds">Rounds per workload; each round measures direct and gateway back to back, order alternating.</param>
/// <param name="Days">Days of daily results the ListDailyResults person holds (seeded before the rounds).</param>
/// <param name="Persons">Persons the SubmitPunch generator spreads its punches over.</param>
/// <param name="Clients">Part 2: the numbers of concurrent clients (N) SubmitPunch is measured with on each path.</param>
/// <param name="EndToEndSeconds">Part 2: seconds per path and N.</param>
/// <param name="ServiceEnvironment">
/// Environment variables for the gateway and the services (<c>--service-env NAME=VALUE</c>, repeatable): to try a
/// runtime or Kestrel setting against the same run's baseline paths without editing the AppHost.
/// </param>
public sealed record BenchmarkOptions(int Calls, int WarmupCalls, double Seconds, int Concurrency, int Rounds, int Days, int Persons,
    int[] Clients, double EndToEndSeconds, IReadOnlyList<KeyValuePair<string, string>> ServiceEnvironment)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(Calls: 600, WarmupCalls: 200, Seconds: 4, Concurrency: 8, Rounds: 3, Days: 20, Persons: 2000,
            Clients: [2, 8, 32], EndToEndSeconds: 4, ServiceEnvironment: []);
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
                "--clients" => options with { Clients = value.Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray() },
                "--e2e-seconds" => options with { EndToEndSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--service-env" when value.Split('=', 2) is [{ Length: > 0 } name, var setting] =>
                    options with { ServiceEnvironment = [.. options.ServiceEnvironment, new(name, setting)] },
                "--service-env" => throw new ArgumentException($"--service-env takes NAME=VALUE, got '{value}'"),
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (args.Length % 2 == 1) throw new ArgumentException($"option {args[^1]} needs a value");
        if (options.Calls < 100) throw new ArgumentException("--calls must be at least 100 (a p99 needs them)");
        return options;
    }

    public override string ToString() =>
        $"part 1: {Calls} sequential calls (latency) and {Seconds}s with {Concurrency} concurrent callers (calls/s) per measurement, " +
        $"{WarmupCalls} warm-up calls, {Rounds} rounds, ListDailyResults over {Days} days, SubmitPunch over {Persons} persons; " +
        $"part 2: SubmitPunch with N = {string.Join(", ", Clients)} clients, {EndToEndSeconds}s per path and N" +
        (ServiceEnvironment.Count == 0 ? "" : $"; services' environment: {string.Join(" ", ServiceEnvironment.Select(e => $"{e.Key}={e.Value}"))}");
}
