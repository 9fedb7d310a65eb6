using System.Globalization;

namespace HrmsAttendance.Load.Benchmarks;

/// <summary>What /proc tells about a process: its children, command line, resident memory and threads, and the load average.</summary>
public static class ProcFs
{
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage1() =>
        double.TryParse(LoadAverage().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : double.NaN;

    public static string[] CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary><paramref name="root"/>, then its descendants breadth first.</summary>
    public static IEnumerable<int> SelfAndDescendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                // pid (comm) state ppid …: comm may hold spaces, so read after its last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { } // exited meanwhile
        }
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var pid))
        {
            yield return pid;
            foreach (var child in children.GetValueOrDefault(pid) ?? []) queue.Enqueue(child);
        }
    }

    /// <summary>Resident memory (VmRSS, what .NET reports as the working set on Linux) in bytes and the thread count.</summary>
    public static (long WorkingSetBytes, int Threads) MemoryAndThreads(int pid)
    {
        long rss = -1;
        var threads = -1;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        return rss >= 0 && threads >= 0 ? (rss, threads) : throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS or Threads");
    }
}
