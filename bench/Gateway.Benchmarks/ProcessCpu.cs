namespace HrmsAttendance.Gateway.Benchmarks;

/// <summary>
/// CPU time (user + system, from <c>/proc/&lt;pid&gt;/stat</c>) of this benchmark's process and of the resources on a
/// call's path (each resource's process as DCP reports it, with all its descendants: <c>dotnet run</c>'s child, postgres'
/// backends). Other processes on the machine are not counted, so the split holds however busy the machine is: where a
/// call's CPU goes.
/// </summary>
public sealed class ProcessCpu(IReadOnlyDictionary<int, string> roots)
{
    public static readonly string[] Groups = ["client", "gateway", "bare-proxy", "rules-proxy", "punch-ledger", "daily-results", "postgres", "redis", "dashboard"];

    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux ABI .NET runs on

    /// <summary>CPU seconds used so far by each group: the process trees under its root pids.</summary>
    public Dictionary<string, double> Snapshot()
    {
        var processes = new Dictionary<int, (int Parent, string Name, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                // pid (comm) state ppid … utime(14) stime(15): comm may hold spaces, so split after its ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                processes[pid] = (int.Parse(fields[1]), name, long.Parse(fields[11]) + long.Parse(fields[12]));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { } // exited meanwhile
        }

        var totals = Groups.ToDictionary(g => g, _ => 0.0);
        foreach (var (pid, (_, _, ticks)) in processes)
            if (RootOf(pid, processes) is { } root)
                totals[roots[root]] += ticks / TicksPerSecond;
        return totals;
    }

    public static Dictionary<string, double> Delta(Dictionary<string, double> before, Dictionary<string, double> after) =>
        Groups.ToDictionary(g => g, g => after[g] - before[g]);

    private int? RootOf(int pid, Dictionary<int, (int Parent, string Name, long Ticks)> processes)
    {
        for (var depth = 0; depth < 64; depth++)
        {
            if (roots.ContainsKey(pid)) return pid;
            if (!processes.TryGetValue(pid, out var p)) return null;
            pid = p.Parent;
        }
        return null;
    }
}
