using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>Files, processes, ports and Debian packages: the plumbing the three servers share.</summary>
internal static class LocalServerFiles
{
    private static readonly SemaphoreSlim AptGate = new(1, 1);
    private static bool _aptListsUpdated;

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>A free port on 127.0.0.1 for a server that binds it later (<see cref="LoopbackPorts"/>).</summary>
    public static int FreeLoopbackPort() => LoopbackPorts.Free();

    public static void WritePrivate(string path, string text)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Once per run, before the server starts: stops processes of an earlier run still using the data directory
    /// (an AppHost killed with SIGKILL), wipes it when fresh was asked for, drops server state that has no
    /// credentials file (its password would be unknown), and creates the directory.
    /// </summary>
    public static async Task PrepareDataDirectoryAsync(LocalServerResource server, ILogger logger)
    {
        var directory = server.DataDirectory;
        if (directory.TrimEnd('/').Length == 0 || directory == Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
        {
            throw new InvalidOperationException($"Refusing to use '{directory}' as the data directory of '{server.Name}'.");
        }
        await StopLeftoversAsync(directory, logger);
        if (server.FreshRequested() && Directory.Exists(directory))
        {
            logger.LogInformation("Fresh start: deleting the data directory {Directory}", directory);
            Directory.Delete(directory, recursive: true);
        }
        else if (!server.Credentials.Exists)
        {
            foreach (var entry in server.StateEntries.Select(e => Path.Combine(directory, e)))
            {
                if (Directory.Exists(entry))
                {
                    logger.LogWarning("No credentials file in {Directory}: deleting {Entry}, whose passwords are unknown", directory, entry);
                    Directory.Delete(entry, recursive: true);
                }
                else if (File.Exists(entry))
                {
                    File.Delete(entry);
                }
            }
        }
        server.Credentials.Reset();
        Directory.CreateDirectory(directory);
        // Others (the postgres user) may traverse it but not list it; the credentials file is 600.
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        server.Credentials.Get("password");
    }

    /// <summary>
    /// Processes of the server on <paramref name="directory"/>: their environment carries the data-directory marker,
    /// or (Redis rewrites its process title, which clobbers the environment) one of the servers' binaries runs with
    /// a command line naming a path inside the directory.
    /// </summary>
    public static List<int> ProcessesUsing(string directory)
    {
        var marker = $"{LocalServerResource.DataDirectoryMarkerVariable}={directory}";
        var inside = directory.TrimEnd('/') + "/";
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                if (File.ReadAllText($"{entry}/environ").Split('\0').Contains(marker)
                    || (ServerBinaries.Contains(Path.GetFileName(new FileInfo($"{entry}/exe").LinkTarget ?? ""))
                        && File.ReadAllText($"{entry}/cmdline").Contains(inside, StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone while we looked, or not ours to read
            }
        }
        return found;
    }

    private static readonly HashSet<string> ServerBinaries = ["postgres", "redis-check-rdb", "redis-server", "beam.smp", "epmd"];

    private static async Task StopLeftoversAsync(string directory, ILogger logger)
    {
        var leftovers = ProcessesUsing(directory);
        if (leftovers.Count == 0)
        {
            return;
        }
        logger.LogWarning("Processes of an earlier run still use {Directory} (pids {Pids}); stopping them", directory, string.Join(", ", leftovers));
        foreach (var pid in leftovers)
        {
            Signal(pid, 15);
        }
        var waited = Stopwatch.StartNew();
        while (ProcessesUsing(directory).Count > 0 && waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }
        foreach (var pid in ProcessesUsing(directory))
        {
            Signal(pid, 9);
        }
    }

    private static void Signal(int pid, int signal)
    {
        _ = Kill(pid, signal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Runs a command to completion; throws with its output when it fails.</summary>
    public static async Task RunAsync(string fileName, IEnumerable<string> arguments, ILogger logger, CancellationToken ct,
        IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        logger.LogInformation("Running {Command} {Arguments}", fileName, string.Join(' ', info.ArgumentList));
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        var output = new List<string>();
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (output)
            {
                output.Add(line);
            }
            logger.LogInformation("{Line}", line);
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            string tail;
            lock (output)
            {
                tail = string.Join('\n', output.TakeLast(20));
            }
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} failed with exit code {process.ExitCode}:\n{tail}");
        }
    }

    /// <summary>
    /// Returns what <paramref name="locate"/> finds; when it finds nothing, installs the Debian package (as root,
    /// after one <c>apt-get update</c> per process) or fails naming the package to install.
    /// </summary>
    public static async Task<string> LocateOrInstallAsync(string package, Func<string?> locate, string what, ILogger logger, CancellationToken ct)
    {
        if (locate() is { } found)
        {
            return found;
        }
        await AptGate.WaitAsync(ct);
        try
        {
            if (locate() is { } foundMeanwhile)
            {
                return foundMeanwhile;
            }
            if (!IsRoot || !File.Exists("/usr/bin/apt-get"))
            {
                throw new InvalidOperationException($"{what} is not installed. Install it with: sudo apt-get install {package}");
            }
            logger.LogInformation("{What} is not installed; installing the Debian package {Package}", what, package);
            var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            if (!_aptListsUpdated)
            {
                await RunAsync("/usr/bin/apt-get", ["-o", "DPkg::Lock::Timeout=120", "update"], logger, ct, environment);
                _aptListsUpdated = true;
            }
            await RunAsync("/usr/bin/apt-get", ["-o", "DPkg::Lock::Timeout=120", "install", "-y", package], logger, ct, environment);
            return locate() ?? throw new InvalidOperationException($"apt-get installed {package} but {what} is still not found.");
        }
        finally
        {
            AptGate.Release();
        }
    }

    public static string? ExistingFile(string path) => File.Exists(path) ? path : null;
}
