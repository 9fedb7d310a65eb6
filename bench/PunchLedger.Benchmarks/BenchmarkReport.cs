namespace HrmsAttendance.PunchLedger.Benchmarks;

/// <summary>Medians per measurement and the two ratios the issue sets targets for.</summary>
public sealed class BenchmarkReport(BenchmarkOptions options)
{
    private readonly Dictionary<string, List<double>> samples = [];

    public void Add(string name, double rowsPerSecond)
    {
        if (!samples.TryGetValue(name, out var list)) samples[name] = list = [];
        list.Add(rowsPerSecond);
        Console.WriteLine($"  {name,-28} {rowsPerSecond,12:N0} rows/s");
    }

    private double Median(string name)
    {
        var sorted = samples[name].Order().ToList();
        return sorted[sorted.Count / 2];
    }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Medians over {options.Rounds} rounds ({options}):");
        foreach (var name in samples.Keys)
            output.WriteLine($"  {name,-28} {Median(name),12:N0} rows/s");
        var single = Median("single punch via door") / Median("single INSERT (baseline)");
        var batch = Median("batch door") / Median("COPY (baseline)");
        output.WriteLine();
        output.WriteLine($"ratio (1) single door / single INSERT = {single:F2}  (target >= 0.75)");
        output.WriteLine($"ratio (2) batch door  / COPY          = {batch:F2}  (target >= 0.20)");
        if (samples.ContainsKey("batch door, import-shaped"))
        {
            var import = Median("batch door, import-shaped");
            // Door and ceiling were measured in alternating slices of the same round: the ratio is taken per round.
            var perRound = samples["batch door, import-shaped"].Zip(samples["COPY events+results, indexed (ceiling)"], (door, ceiling) => door / ceiling).ToList();
            output.WriteLine($"import-shaped batch door = {import:N0} punches/s (issue 13 target >= 60,000); " +
                             $"/ COPY = {import / Median("COPY, import-shaped (baseline)"):F3}; " +
                             $"/ indexed COPY of events+results (ceiling), median of the rounds' ratios = {perRound.Order().ElementAt(perRound.Count / 2):F2} " +
                             $"({string.Join(" / ", perRound.Select(ratio => ratio.ToString("F2")))})");
        }
        if (samples.ContainsKey("batch door, no audit"))
        {
            output.WriteLine($"audit log cost: single door with / without its trigger = {Median("single punch via door") / Median("single punch via door, no audit"):F2}; " +
                             $"batch door = {Median("batch door") / Median("batch door, no audit"):F2}");
        }
        if (!samples.ContainsKey("do-nothing door (ceiling)")) return;
        output.WriteLine();
        output.WriteLine("What no door can beat, same run (see README):");
        output.WriteLine($"ceiling (1) do-nothing door / single INSERT = {Median("do-nothing door (ceiling)") / Median("single INSERT (baseline)"):F2}");
        output.WriteLine($"ceiling (1) event-only door / single INSERT = {Median("event-only door (ceiling)") / Median("single INSERT (baseline)"):F2}");
        output.WriteLine($"ceiling (2) indexed INSERT  / COPY          = {Median("indexed INSERT (ceiling)") / Median("COPY (baseline)"):F2}");
    }
}
