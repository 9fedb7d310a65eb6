using System.Globalization;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>The two hosting/Processes additions the orchestrator relies on.</summary>
public sealed class ChildSessionTests
{
    [Fact]
    public async Task While_the_host_handles_signals_a_child_runs_in_its_own_session_under_its_own_pid()
    {
        ChildProcess child;
        using (ChildProcessRegistry.HandleSignalsInHost())
        {
            Assert.True(ChildProcessRegistry.HostHandlesSignals);
            child = ChildProcess.Start(new ChildProcessOptions { Name = "sleep", FileName = "sleep", Arguments = ["30"] });
        }
        await using (child)
        {
            // setsid(1) exec'd the program: same pid, and that pid leads a new session (out of reach of a terminal's Ctrl+C).
            Assert.Equal("sleep 30", await CommandLineAsync(child.Pid));
            Assert.Equal(child.Pid, SessionOf(child.Pid));
            Assert.NotEqual(SessionOf(Environment.ProcessId), SessionOf(child.Pid));
        }

        await using var ordinary = ChildProcess.Start(new ChildProcessOptions { Name = "sleep", FileName = "sleep", Arguments = ["30"] });
        Assert.Equal(SessionOf(Environment.ProcessId), SessionOf(ordinary.Pid));
    }

    [Fact]
    public async Task ErrorOutput_receives_the_stderr_lines_and_Output_the_stdout_ones()
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        await ChildProcess.RunToCompletionAsync(new ChildProcessOptions
        {
            Name = "sh",
            FileName = "sh",
            Arguments = ["-c", "echo to-out; echo to-err >&2"],
            Output = line => { lock (stdout) stdout.Add(line); },
            ErrorOutput = line => { lock (stderr) stderr.Add(line); },
        });
        Assert.Equal(["to-out"], stdout);
        Assert.Equal(["to-err"], stderr);
    }

    private static async Task<string> CommandLineAsync(int pid)
    {
        // Right after fork the child may still be setsid(1) for an instant, before it execs the program, and while
        // it execs /proc/<pid>/cmdline reads empty.
        for (var attempt = 0; ; attempt++)
        {
            var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ').Trim();
            if ((commandLine.Length > 0 && !commandLine.Contains("setsid", StringComparison.Ordinal)) || attempt == 200) return commandLine;
            await Task.Delay(10);
        }
    }

    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], CultureInfo.InvariantCulture); // state ppid pgrp session
    }
}
