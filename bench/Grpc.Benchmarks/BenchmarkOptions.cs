using System.Globalization;

namespace HrmsAttendance.GrpcBenchmarks;

public sealed record BenchmarkOptions(double Seconds, double WarmupSeconds, int Concurrency, int Rounds, int PayloadBytes, int StreamCount)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(Seconds: 5, WarmupSeconds: 2, Concurrency: 16, Rounds: 3, PayloadBytes: 64, StreamCount: 1000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup" => options with { WarmupSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--payload" => options with { PayloadBytes = int.Parse(value, CultureInfo.InvariantCulture) },
                "--stream-count" => options with { StreamCount = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return options;
    }

    public override string ToString() =>
        $"{Seconds}s per measurement after {WarmupSeconds}s warm-up, {Rounds} rounds, {Concurrency} concurrent calls, " +
        $"{PayloadBytes}-byte payload, {StreamCount} messages per server stream";
}
