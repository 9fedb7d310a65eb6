using System.Diagnostics;
using System.Text.RegularExpressions;

namespace HrmsAttendance.Hosting.Tests.RabbitMq;

/// <summary>What /proc and ss say about the processes of a node.</summary>
internal static partial class ProcessScan
{
    /// <summary>Live processes whose command line or environment mentions <paramref name="text"/> (e.g. a data directory).</summary>
    public static IReadOnlyList<string> Mentioning(string text)
    {
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId || !ProcessState.IsAlive(pid))
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText($"{directory}/cmdline").Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal) || File.ReadAllText($"{directory}/environ").Contains(text, StringComparison.Ordinal))
                {
                    found.Add($"{pid} {commandLine}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // exited while we looked
            }
        }
        return found;
    }

    public static IReadOnlyList<int> ChildrenOf(int pid) =>
        [.. File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];

    /// <summary>The local addresses (like "127.0.0.1:5672") of the TCP sockets a process listens on, from <c>ss -ltnpH</c>.</summary>
    public static IReadOnlyList<string> ListeningAddressesOf(int pid) =>
        [.. ListeningSockets().Where(socket => socket.Pids.Contains(pid)).Select(socket => socket.Local)];

    /// <summary>The local addresses listening on <paramref name="port"/>, whoever owns them.</summary>
    public static IReadOnlyList<string> ListeningAddressesOn(int port) =>
        [.. ListeningSockets().Select(socket => socket.Local).Where(local => local.EndsWith($":{port}", StringComparison.Ordinal))];

    private static IEnumerable<(string Local, int[] Pids)> ListeningSockets()
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", "-ltnpH") { RedirectStandardOutput = true })!;
        var output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // State Recv-Q Send-Q Local:Port Peer:Port Process
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var pids = PidPattern().Matches(line).Select(match => int.Parse(match.Groups[1].Value)).ToArray();
            yield return (columns[3], pids);
        }
    }

    [GeneratedRegex(@"pid=(\d+),")]
    private static partial Regex PidPattern();
}
