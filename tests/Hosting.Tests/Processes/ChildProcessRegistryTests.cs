using System.Collections.Concurrent;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Tests.Processes;

/// <summary>Runs <see cref="OrphanProbe"/> as a separate host and checks its child does not outlive it.</summary>
public class ChildProcessRegistryTests
{
    [Fact]
    public async Task Children_are_stopped_when_the_host_returns_from_Main()
    {
        await using var probe = StartProbe("exit", out var output);
        var childPid = await ReadChildPidAsync(output);

        Assert.Equal(0, await probe.Exited.WaitAsync(TimeSpan.FromSeconds(20)));
        await Poll.UntilAsync(() => !ProcessState.IsAlive(childPid));
    }

    [Theory]
    [InlineData(StopSignal.Terminate)]
    [InlineData(StopSignal.Interrupt)]
    public async Task Children_are_stopped_when_the_host_is_killed_by_a_signal(StopSignal signal)
    {
        await using var probe = StartProbe("wait", out var output);
        var childPid = await ReadChildPidAsync(output);

        await probe.StopAsync(signal, TimeSpan.FromSeconds(10));

        Assert.Equal(128 + (int)signal, probe.ExitCode); // the host died of the signal, not of our kill
        await Poll.UntilAsync(() => !ProcessState.IsAlive(childPid));
    }

    private static ChildProcess StartProbe(string mode, out ConcurrentQueue<string> output)
    {
        var lines = output = new ConcurrentQueue<string>();
        return ChildProcess.Start(new ChildProcessOptions
        {
            Name = "orphan-probe",
            FileName = Environment.ProcessPath!, // the dotnet muxer running these tests
            Arguments = ["exec", typeof(OrphanProbe).Assembly.Location, OrphanProbe.Verb, mode],
            Output = lines.Enqueue,
        });
    }

    private static async Task<int> ReadChildPidAsync(ConcurrentQueue<string> output) =>
        int.Parse(await Poll.UntilAsync(() => output.FirstOrDefault(line => line.All(char.IsAsciiDigit)), TimeSpan.FromSeconds(20)));
}
