using System.Reflection;
using HrmsAttendance.Hosting.Processes;
using HrmsAttendance.Hosting.Services;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// The real AppHost as a separate process (<c>dotnet AppHost.dll --fresh --data-dir TMP --dashboard-port 0 --no-build</c>):
/// once it reports that everything runs, it is signalled like a terminal's Ctrl+C or a service manager would,
/// and nothing it started may remain.
/// </summary>
public sealed class OrphanTests
{
    private const string StartedLine = "Distributed application started.";

    [Theory]
    [InlineData(StopSignal.Terminate)]
    [InlineData(StopSignal.Interrupt)]
    public async Task A_signalled_AppHost_stops_everything_it_started(StopSignal signal)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("hrms-apphost-orphans-").FullName;
        var marker = $"hrms-orphan-test-{Guid.NewGuid():N}"; // inherited by every process the AppHost starts
        var output = new List<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await using var appHost = ChildProcess.Start(new ChildProcessOptions
            {
                Name = "apphost",
                FileName = "dotnet",
                Arguments = [AppHostAssembly(), "--fresh", "--data-dir", dataDirectory, "--dashboard-port", "0", "--no-build"],
                Environment = new Dictionary<string, string?> { ["HRMS_ORPHAN_TEST_MARKER"] = marker },
                WorkingDirectory = RepositoryLayout.Root,
                Output = line =>
                {
                    lock (output) output.Add(line);
                    if (line.StartsWith(StartedLine, StringComparison.Ordinal)) started.TrySetResult();
                },
                StopTimeout = TimeSpan.FromSeconds(60),
            });
            string Output() { lock (output) return string.Join(Environment.NewLine, output); }

            var first = await Task.WhenAny(started.Task, appHost.Exited).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(first == started.Task, $"The AppHost exited before everything ran:{Environment.NewLine}{Output()}");

            var ours = ProcessTree.DescendantsOf(appHost.Pid);
            Assert.Contains(ours, p => p.CommandLine.Contains("postgres", StringComparison.Ordinal));
            Assert.Contains(ours, p => p.CommandLine.Contains("redis-server", StringComparison.Ordinal));
            Assert.Contains(ours, p => p.CommandLine.Contains("beam.smp", StringComparison.Ordinal));
            Assert.Contains(ours, p => p.CommandLine.Contains("epmd", StringComparison.Ordinal));
            Assert.Contains(ours, p => p.CommandLine.Contains("PunchLedger.dll", StringComparison.Ordinal));

            // Sends the signal, waits; only if the AppHost does not exit within 60 s is its tree killed (exit 137).
            await appHost.StopAsync(signal, TimeSpan.FromSeconds(60));

            Assert.True(appHost.ExitCode == 0, $"exit code {appHost.ExitCode}:{Environment.NewLine}{Output()}");
            Assert.Contains(output, line => line.StartsWith("Stopped in", StringComparison.Ordinal));
            // In order: services before servers.
            int StopLine(string resource) => output.FindIndex(line => line.StartsWith($"{resource}: stopped", StringComparison.Ordinal));
            Assert.True(StopLine("punch-ledger") >= 0, Output());
            Assert.All(new[] { "postgres", "redis", "messaging" }, server => Assert.True(StopLine(server) > StopLine("punch-ledger"), Output()));
            // The kernel may take a moment to reap the last grandchildren after their parents exited.
            var remaining = await RemainingAsync(ours, dataDirectory, marker);
            Assert.True(remaining.Count == 0, $"Left running:{Environment.NewLine}{string.Join(Environment.NewLine, remaining)}");
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<IReadOnlyList<ProcessTree.Identity>> RemainingAsync(
        IReadOnlyList<ProcessTree.Identity> ours, string dataDirectory, string marker)
    {
        IReadOnlyList<ProcessTree.Identity> Scan() =>
            [.. ours.Where(ProcessTree.IsAlive)
                .Concat(ProcessTree.Mentioning(dataDirectory))
                .Concat(ProcessTree.Mentioning(marker))
                .DistinctBy(p => p.Pid)];
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var remaining = Scan();
        while (remaining.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            remaining = Scan();
        }
        return remaining;
    }

    /// <summary>The AppHost as built alongside these tests (same configuration).</summary>
    private static string AppHostAssembly()
    {
        var configuration = typeof(OrphanTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.Combine(RepositoryLayout.Root, "AppHost", "bin", configuration, "net10.0", "AppHost.dll");
        Assert.True(File.Exists(path), $"{path} is not built.");
        return path;
    }
}
