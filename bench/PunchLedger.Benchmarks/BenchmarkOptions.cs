namespace HrmsAttendance.PunchLedger.Benchmarks;

public sealed record BenchmarkOptions(double Seconds, int Connections, int Rounds, int BatchSize, int Persons, bool Ceilings = true, bool Prepare = false, bool Import = true, bool AuditCost = true, int Slices = 10)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions(Seconds: 8, Connections: 2, Rounds: 3, BatchSize: 1000, Persons: 2000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = double.Parse(args[i + 1]) },
                "--connections" => options with { Connections = int.Parse(args[i + 1]) },
                "--rounds" => options with { Rounds = int.Parse(args[i + 1]) },
                "--batch" => options with { BatchSize = int.Parse(args[i + 1]) },
                "--persons" => options with { Persons = int.Parse(args[i + 1]) },
                "--ceilings" => options with { Ceilings = bool.Parse(args[i + 1]) },
                "--prepare" => options with { Prepare = bool.Parse(args[i + 1]) },
                "--import" => options with { Import = bool.Parse(args[i + 1]) },
                "--audit-cost" => options with { AuditCost = bool.Parse(args[i + 1]) },
                "--slices" => options with { Slices = int.Parse(args[i + 1]) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return options;
    }

    public override string ToString() =>
        $"{Seconds}s per measurement, {Connections} connections, {Rounds} rounds, batch {BatchSize}, {Persons} persons, ceilings {Ceilings}, prepared {Prepare}, import-shaped {Import}, audit cost {AuditCost}, door and ceiling alternated in {Slices} slices each";
}
