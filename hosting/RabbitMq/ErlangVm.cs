using System.Diagnostics;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// The node's Erlang VM (<c>beam.smp</c>), child of the <c>rabbitmq-server</c> script. It normally stops with
/// the script, which forwards SIGTERM and waits for it. If the script dies first (SIGKILL), the VM is orphaned
/// and keeps running on our database: <see cref="StopAsync"/> catches that.
/// A pid is only trusted while its environment still names our database, so a reused pid is never signalled.
/// </summary>
internal sealed class ErlangVm
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly RabbitMqDataDirectory _directory;

    private ErlangVm(int pid, RabbitMqDataDirectory directory)
    {
        Pid = pid;
        _directory = directory;
    }

    public int Pid { get; }

    /// <summary>The VM started by the script with pid <paramref name="scriptPid"/>, or null if there is none (any more).</summary>
    public static ErlangVm? FindChildOf(int scriptPid, RabbitMqDataDirectory directory)
    {
        try
        {
            return File.ReadAllText($"/proc/{scriptPid}/task/{scriptPid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .Where(pid => IsVmOf(pid, directory))
                .Select(pid => new ErlangVm(pid, directory))
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null; // the script is gone
        }
    }

    /// <summary>True if <paramref name="pid"/> is a live Erlang VM running on <paramref name="directory"/>'s database.</summary>
    public static bool IsVmOf(int pid, RabbitMqDataDirectory directory)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            var environment = File.ReadAllText($"/proc/{pid}/environ"); // empty for a zombie
            return commandLine.Contains("beam", StringComparison.Ordinal)
                && environment.Split('\0').Contains($"RABBITMQ_MNESIA_BASE={directory.MnesiaBase}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone, or not ours to inspect
        }
    }

    /// <summary>
    /// The VM whose pid the node wrote to <c>mnesia/&lt;node name&gt;.pid</c> (deleted when it stops), if it still runs.
    /// </summary>
    public static ErlangVm? FromPidFile(RabbitMqDataDirectory directory, string nodeName)
    {
        var pidFile = Path.Combine(directory.MnesiaBase, nodeName + ".pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && IsVmOf(pid, directory)
            ? new ErlangVm(pid, directory)
            : null;
    }

    /// <summary>
    /// For a VM without its script: SIGTERM (a clean node stop), up to 30 s, then SIGKILL of the VM and its
    /// children. Does nothing if it is not running (any more).
    /// </summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }
        Libc.SendSignal(Pid, StopSignal.Terminate);
        var waited = Stopwatch.StartNew();
        while (IsRunning && waited.Elapsed < StopTimeout)
        {
            await Task.Delay(50);
        }
        if (IsRunning)
        {
            try
            {
                using var vm = Process.GetProcessById(Pid);
                vm.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It exited meanwhile.
            }
        }
    }

    public bool IsRunning => IsVmOf(Pid, _directory);

    /// <summary>
    /// Waits until no process running on <paramref name="directory"/>'s database is left (the VM's helpers such as
    /// <c>erl_child_setup</c> notice their VM is gone a moment after it), then SIGKILLs whatever still is.
    /// Only processes whose environment names our database are counted, so a reused pid is never signalled.
    /// </summary>
    public static async Task StopStragglersAsync(RabbitMqDataDirectory directory, TimeSpan grace)
    {
        var waited = Stopwatch.StartNew();
        while (ProcessesOn(directory).Count > 0 && waited.Elapsed < grace)
        {
            await Task.Delay(50);
        }
        foreach (var pid in ProcessesOn(directory))
        {
            try
            {
                using var straggler = Process.GetProcessById(pid);
                straggler.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It exited meanwhile.
            }
        }
    }

    private static List<int> ProcessesOn(RabbitMqDataDirectory directory)
    {
        var marker = $"RABBITMQ_MNESIA_BASE={directory.MnesiaBase}";
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                if (File.ReadAllText($"{entry}/environ").Split('\0').Contains(marker)) // empty for a zombie
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone while we looked, or not ours to inspect
            }
        }
        return found;
    }
}
