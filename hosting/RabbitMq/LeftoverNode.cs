using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// The processes of an earlier run that are still running on the data directory: that host was killed with
/// SIGKILL (nothing could stop its children then), and its Erlang VM and epmd were left behind. Two nodes on one
/// database would corrupt it. Called while holding the <see cref="DataDirectoryLock"/>, so no live launcher owns
/// them: they are stopped before the new node starts.
/// </summary>
internal static class LeftoverNode
{
    public static async Task StopIfRunningAsync(RabbitMqDataDirectory directory, string nodeName, Action<string> log)
    {
        if (ErlangVm.FromPidFile(directory, nodeName) is { } vm)
        {
            log($"rabbitmq: node {nodeName} of an earlier run is still running (Erlang VM pid {vm.Pid}); stopping it");
            await vm.StopAsync();
        }
        foreach (var epmdPid in FindEpmds(directory))
        {
            log($"rabbitmq: the epmd of an earlier run is still running (pid {epmdPid}); stopping it");
            Libc.SendSignal(epmdPid, StopSignal.Terminate); // it exits at once, with nothing to save
        }
    }

    /// <summary>Our epmd runs with the node's HOME, which names the data directory.</summary>
    private static IEnumerable<int> FindEpmds(RabbitMqDataDirectory directory)
    {
        var home = $"HOME={directory.HomeDirectory}";
        foreach (var processDirectory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(processDirectory), out var pid))
            {
                continue;
            }
            bool isOurEpmd;
            try
            {
                var program = File.ReadAllText($"{processDirectory}/cmdline").Split('\0')[0];
                isOurEpmd = Path.GetFileName(program) == "epmd"
                    && File.ReadAllText($"{processDirectory}/environ").Split('\0').Contains(home);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // exited while we looked, or not ours to inspect
            }
            if (isOurEpmd)
            {
                yield return pid;
            }
        }
    }
}
