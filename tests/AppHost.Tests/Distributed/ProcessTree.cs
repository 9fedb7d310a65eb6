using System.Globalization;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>What /proc says about processes: descendants, liveness (pid + start time, so a reused pid is not mistaken), marks.</summary>
internal static class ProcessTree
{
    /// <summary>A process as identified by its pid and start time (clock ticks since boot).</summary>
    public readonly record struct Identity(int Pid, long StartTime, string CommandLine)
    {
        public override string ToString() => $"{Pid} {CommandLine}";
    }

    /// <summary>Every live descendant of <paramref name="root"/> (children, grandchildren, …).</summary>
    public static IReadOnlyList<Identity> DescendantsOf(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var pid in AllPids())
        {
            if (TryStat(pid) is { } stat)
            {
                if (!children.TryGetValue(stat.ParentPid, out var list)) children[stat.ParentPid] = list = [];
                list.Add(pid);
            }
        }
        var found = new List<Identity>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                if (Identify(child) is { } identity) found.Add(identity);
                queue.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>True if the very same process (pid and start time) is still alive and not a zombie.</summary>
    public static bool IsAlive(Identity process) =>
        TryStat(process.Pid) is { } stat && stat.StartTime == process.StartTime && stat.State is not ('Z' or 'X');

    /// <summary>
    /// Live processes (not us) whose command line, environment or working directory contains <paramref name="text"/>
    /// (redis-server rewrites its command line and environment area for its title, but runs in its data directory).
    /// </summary>
    public static IReadOnlyList<Identity> Mentioning(string text)
    {
        var found = new List<Identity>();
        foreach (var pid in AllPids())
        {
            if (pid == Environment.ProcessId || Identify(pid) is not { } identity) continue;
            try
            {
                if (identity.CommandLine.Contains(text, StringComparison.Ordinal)
                    || File.ReadAllText($"/proc/{pid}/environ").Contains(text, StringComparison.Ordinal)
                    || (new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget ?? "").Contains(text, StringComparison.Ordinal))
                    found.Add(identity);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // exited while we looked
            }
        }
        return found;
    }

    private static Identity? Identify(int pid)
    {
        if (TryStat(pid) is not { } stat || stat.State is 'Z' or 'X') return null;
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return new Identity(pid, stat.StartTime, commandLine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    private static (char State, int ParentPid, long StartTime)? TryStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
            //  cstime priority nice num_threads itrealvalue starttime ..." — comm may contain spaces and parentheses.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
