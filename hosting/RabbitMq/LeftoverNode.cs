namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// A node of an earlier run may still be running on the data directory if that host was killed with SIGKILL
/// (nothing could stop its children then). Two nodes on one database would corrupt it, so refuse to start.
/// The node writes its pid to <c>mnesia/&lt;node name&gt;.pid</c> and deletes it when it stops.
/// </summary>
internal static class LeftoverNode
{
    public static void ThrowIfRunning(RabbitMqDataDirectory directory, string nodeName)
    {
        var pidFile = Path.Combine(directory.MnesiaBase, nodeName + ".pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            return;
        }
        if (IsErlangVmOf(pid, directory))
        {
            throw new InvalidOperationException(
                $"RabbitMQ node {nodeName} from an earlier run is still running on '{directory.Root}' (Erlang VM pid {pid}); " +
                $"its host probably died without stopping it. Stop it with 'kill -TERM {pid}' (its epmd exits by " +
                "itself only if started by Erlang; look for 'epmd -port' in ps) and start again.");
        }
    }

    private static bool IsErlangVmOf(int pid, RabbitMqDataDirectory directory)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            var environment = File.ReadAllText($"/proc/{pid}/environ");
            return commandLine.Contains("beam", StringComparison.Ordinal)
                && environment.Split('\0').Contains($"RABBITMQ_MNESIA_BASE={directory.MnesiaBase}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone, or not ours to inspect
        }
    }
}
