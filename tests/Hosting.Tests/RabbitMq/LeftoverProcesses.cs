using System.Diagnostics;

namespace HrmsAttendance.Hosting.Tests.RabbitMq;

/// <summary>
/// Stand-ins for the Erlang VM and epmd a killed host leaves behind, as the launcher recognises them: a process
/// named beam.smp whose environment names the data directory's database, its pid in mnesia/&lt;node&gt;.pid,
/// and a process named epmd whose HOME is the node's. Both are copies of sleep(1), which exits on SIGTERM.
/// </summary>
internal sealed class LeftoverProcesses : IDisposable
{
    private readonly string _binaries;
    private readonly Process[] _processes;

    private LeftoverProcesses(string binaries, Process[] processes)
    {
        _binaries = binaries;
        _processes = processes;
    }

    public bool AllExited => _processes.All(process => !ProcessState.IsAlive(process.Id));

    public static LeftoverProcesses Plant(string dataDirectory, string nodeName)
    {
        var binaries = Directory.CreateTempSubdirectory("hrms-fake-erlang-").FullName;
        var vm = Start(binaries, "beam.smp", "RABBITMQ_MNESIA_BASE", Path.Combine(dataDirectory, "mnesia"));
        var epmd = Start(binaries, "epmd", "HOME", Path.Combine(dataDirectory, "home"));
        File.WriteAllText(Path.Combine(dataDirectory, "mnesia", $"{nodeName}.pid"), vm.Id.ToString());
        return new LeftoverProcesses(binaries, [vm, epmd]);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            process.Dispose();
        }
        Directory.Delete(_binaries, recursive: true);
    }

    private static Process Start(string binaries, string name, string variable, string value)
    {
        var path = Path.Combine(binaries, name);
        File.Copy("/bin/sleep", path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var startInfo = new ProcessStartInfo(path, "300") { UseShellExecute = false };
        startInfo.Environment[variable] = value;
        return Process.Start(startInfo)!;
    }
}
