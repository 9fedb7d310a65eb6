using System.Diagnostics;
using System.Reflection;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// The real AppHost as a separate process (<c>dotnet AppHost.dll --fresh --data-dir TMP</c>, as
/// <c>dotnet run --project AppHost</c> runs it): once every server and service of the topology runs, it is signalled
/// like a terminal's Ctrl+C, a service manager's stop, or a kill -9; nothing it started may remain. Every process of
/// the topology inherits a marker variable from the AppHost (DCP passes its environment on) or names the data
/// directory, which is how they are found.
/// </summary>
[Collection(DistributedAppCollection.Name)] // one topology at a time on a 2-core machine
public sealed class OrphanTests
{
    private const string MarkerVariable = "HRMS_ORPHAN_TEST_MARKER";

    /// <summary>What must be running before the signal: a process of each kind, all carrying the marker.</summary>
    private static readonly string[] Expected =
        ["postgres -D", "redis-server", "beam.smp", "epmd", "dcp", "PunchLedger", "IdentityMapping", "DailyResults", "Gateway"];

    [Theory]
    [InlineData("INT")]  // Ctrl+C
    [InlineData("TERM")] // a service manager's stop
    [InlineData("KILL")] // no chance to clean up: DCP, which watches the AppHost's pid, stops everything
    public async Task A_signalled_AppHost_leaves_no_process_behind(string signal)
    {
        var dataDirectory = DistributedAppFixture.NewDataDirectory("hrms-apphost-orphans-");
        var marker = $"hrms-orphan-{Guid.NewGuid():N}";
        var output = new List<string>();
        try
        {
            using var appHost = StartAppHost(dataDirectory, marker, output);
            string Output() { lock (output) return string.Join(Environment.NewLine, output.TakeLast(80)); }

            var running = await PollAsync(() => Marked(marker, dataDirectory),
                processes => Expected.All(kind => processes.Any(p => p.CommandLine.Contains(kind, StringComparison.Ordinal))) || appHost.HasExited,
                TimeSpan.FromSeconds(150));
            Assert.False(appHost.HasExited, $"The AppHost exited early:{Environment.NewLine}{Output()}");
            var missing = Expected.Where(kind => !running.Any(p => p.CommandLine.Contains(kind, StringComparison.Ordinal))).ToList();
            Assert.True(missing.Count == 0, $"Not running: {string.Join(", ", missing)}{Environment.NewLine}{Output()}");

            using (var kill = Process.Start("kill", ["-" + signal, appHost.Id.ToString()]))
                await kill.WaitForExitAsync();
            using (var exited = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                await appHost.WaitForExitAsync(exited.Token);

            // DCP stops the servers and services it runs; after a kill -9 it notices the AppHost is gone first.
            var remaining = await PollAsync(() => Marked(marker, dataDirectory), processes => processes.Count == 0, TimeSpan.FromSeconds(45));
            Assert.True(remaining.Count == 0,
                $"Left running after SIG{signal}:{Environment.NewLine}{string.Join(Environment.NewLine, remaining)}{Environment.NewLine}{Output()}");
        }
        finally
        {
            foreach (var process in Marked(marker, dataDirectory))
                Process.Start("kill", ["-KILL", process.Pid.ToString()])?.Dispose(); // never leak into the next test
            await Task.Delay(500);
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static Process StartAppHost(string dataDirectory, string marker, List<string> output)
    {
        var start = new ProcessStartInfo("dotnet", [AppHostAssembly(), "--fresh", "--data-dir", dataDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(AppHostAssembly())!,
        };
        // What the launch profile sets for `dotnet run`, on free ports, and randomized service ports so this AppHost
        // never collides with another topology on the machine.
        start.Environment[MarkerVariable] = marker;
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{DistributedAppFixture.FreeLoopbackPort()}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{DistributedAppFixture.FreeLoopbackPort()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{DistributedAppFixture.FreeLoopbackPort()}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["DcpPublisher__RandomizePorts"] = "true";
        var process = Process.Start(start)!;
        void Collect(object _, DataReceivedEventArgs e) { if (e.Data is { } line) lock (output) output.Add(line); }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// The topology's processes: those carrying the marker, and those naming the data directory (redis-server rewrites
    /// its environment area for its process title, but keeps its configuration file's path on its command line).
    /// </summary>
    private static IReadOnlyList<ProcessTree.Identity> Marked(string marker, string dataDirectory) =>
        [.. ProcessTree.Mentioning(marker).Concat(ProcessTree.Mentioning(dataDirectory)).DistinctBy(p => p.Pid)];

    private static async Task<IReadOnlyList<ProcessTree.Identity>> PollAsync(
        Func<IReadOnlyList<ProcessTree.Identity>> scan, Func<IReadOnlyList<ProcessTree.Identity>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var found = scan();
        while (!done(found) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            found = scan();
        }
        return found;
    }

    /// <summary>The AppHost as built alongside these tests (same configuration).</summary>
    private static string AppHostAssembly()
    {
        var configuration = typeof(OrphanTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "HrmsAttendance.sln")))
            directory = directory.Parent;
        var path = Path.Combine(directory?.FullName ?? "", "AppHost", "bin", configuration, "net10.0", "AppHost.dll");
        Assert.True(File.Exists(path), $"{path} is not built.");
        return path;
    }
}
