using System.Collections.Concurrent;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Tests.Processes;

public class ChildProcessTests
{
    [Fact]
    public async Task Keeps_the_last_500_lines_and_forwards_every_line()
    {
        var forwarded = new ConcurrentQueue<string>();
        await using var child = ChildProcess.Start(new ChildProcessOptions
        {
            Name = "seq",
            FileName = "seq",
            Arguments = ["1", "600"],
            Output = forwarded.Enqueue,
        });

        Assert.Equal(0, await child.Exited.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(Enumerable.Range(1, 600).Select(n => n.ToString()), forwarded);
        Assert.Equal(Enumerable.Range(101, 500).Select(n => n.ToString()), child.RecentOutput); // the oldest fell out
    }

    [Fact]
    public async Task Captures_stderr_lines_too()
    {
        // stdout and stderr are read by separate readers, so their relative order is not asserted.
        var forwarded = new ConcurrentQueue<string>();
        await using var child = ChildProcess.Start(new ChildProcessOptions
        {
            Name = "both",
            FileName = "/bin/sh",
            Arguments = ["-c", "echo to-stdout; echo to-stderr >&2"],
            Output = forwarded.Enqueue,
        });

        Assert.Equal(0, await child.Exited.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(["to-stderr", "to-stdout"], forwarded.Order());
        Assert.Equal(["to-stderr", "to-stdout"], child.RecentOutput.Order());
    }

    [Fact]
    public async Task RunToCompletion_reports_the_exit_code_and_last_output_of_a_failing_command()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ChildProcess.RunToCompletionAsync(new ChildProcessOptions
        {
            Name = "failing",
            FileName = "/bin/sh",
            Arguments = ["-c", "echo something went wrong >&2; exit 3"],
        }));

        Assert.Contains("'failing' exited with code 3", failure.Message);
        Assert.Contains("something went wrong", failure.Message);
    }

    [Fact]
    public async Task ExitsWithin_is_true_once_the_process_exits_and_false_when_the_wait_runs_out()
    {
        await using var quick = ChildProcess.Start(new ChildProcessOptions { Name = "true", FileName = "true" });
        await using var slow = ChildProcess.Start(new ChildProcessOptions { Name = "sleep", FileName = "sleep", Arguments = ["300"] });

        Assert.True(await quick.ExitsWithinAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await slow.ExitsWithinAsync(TimeSpan.FromMilliseconds(100)));
        Assert.False(slow.HasExited);
    }

    [Fact]
    public async Task Stop_sends_the_signal_and_returns_as_soon_as_the_process_exits()
    {
        await using var child = ChildProcess.Start(new ChildProcessOptions { Name = "sleep", FileName = "sleep", Arguments = ["300"] });

        var stopping = child.StopAsync(StopSignal.Terminate, TimeSpan.FromSeconds(30));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10)); // far below the 30 s grace: the signal did it

        Assert.True(child.HasExited);
        Assert.Equal(128 + 15, child.ExitCode);
        Assert.False(ProcessState.IsAlive(child.Pid));
    }

    [Fact]
    public async Task Stop_kills_the_whole_tree_when_the_signal_is_ignored()
    {
        var lines = new ConcurrentQueue<string>();
        await using var child = ChildProcess.Start(new ChildProcessOptions
        {
            Name = "stubborn",
            FileName = "/bin/sh",
            // Ignores SIGINT, starts a grandchild, prints its pid.
            Arguments = ["-c", "trap '' INT; sleep 300 & echo $!; wait"],
            Output = lines.Enqueue,
        });
        var grandchildPid = int.Parse(await Poll.UntilAsync(() => lines.TryPeek(out var line) ? line : null));

        await child.StopAsync(StopSignal.Interrupt, TimeSpan.FromMilliseconds(300));

        Assert.Equal(128 + 9, child.ExitCode); // SIGKILL
        await Poll.UntilAsync(() => !ProcessState.IsAlive(grandchildPid));
    }

    [Fact]
    public async Task Stop_is_idempotent_and_safe_after_exit()
    {
        var child = ChildProcess.Start(new ChildProcessOptions { Name = "true", FileName = "true" });
        await child.Exited.WaitAsync(TimeSpan.FromSeconds(10));

        await Task.WhenAll(child.StopAsync(), child.StopAsync());
        await child.DisposeAsync();
        await child.DisposeAsync();

        Assert.Equal(0, child.ExitCode);
        Assert.DoesNotContain(child, ChildProcessRegistry.RunningChildren);
    }
}
