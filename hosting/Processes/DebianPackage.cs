namespace HrmsAttendance.Hosting.Processes;

/// <summary>
/// Finds what a Debian package provides (server binaries), installing the package with apt-get first when it
/// is missing and we are allowed to: root on Debian/Ubuntu. Anywhere else the error names the package to install.
/// Shared by the Postgres, Redis and RabbitMQ launchers.
/// </summary>
internal static class DebianPackage
{
    private const string AptGet = "/usr/bin/apt-get";

    // One apt-get at a time in this process (apt holds a lock: a second one would fail), and `apt-get update`
    // only once per process however many packages get installed.
    private static readonly SemaphoreSlim AptGate = new(1, 1);
    private static bool _listsUpdated;

    /// <param name="packageName">The Debian package, e.g. <c>redis-server</c>.</param>
    /// <param name="locate">Returns what the package provides, or null when it is not installed.</param>
    /// <param name="whatToFind">What to look for, for messages: "the Redis server binary /usr/bin/redis-server".</param>
    /// <param name="logName">Prefix of progress lines, e.g. "redis".</param>
    public static async Task<T> LocateOrInstallAsync<T>(
        string packageName, Func<T?> locate, string whatToFind, string logName, Action<string> log, CancellationToken ct)
        where T : class
    {
        if (locate() is { } installed)
        {
            return installed;
        }

        await AptGate.WaitAsync(ct);
        try
        {
            if (locate() is { } installedMeanwhile)
            {
                return installedMeanwhile;
            }
            if (!CanInstallWithApt())
            {
                throw new InvalidOperationException(
                    $"Could not find {whatToFind}. Install it with: sudo apt-get install {packageName}");
            }

            log($"{logName}: could not find {whatToFind}; installing the Debian package '{packageName}'");
            if (!_listsUpdated)
            {
                await RunAptGetAsync(["update"], logName, log, ct);
                _listsUpdated = true;
            }
            await RunAptGetAsync(["install", "-y", packageName], logName, log, ct);

            return locate() ?? throw new InvalidOperationException(
                $"apt-get installed '{packageName}' but {whatToFind} still cannot be found.");
        }
        finally
        {
            AptGate.Release();
        }
    }

    private static bool CanInstallWithApt() =>
        Environment.IsPrivilegedProcess && File.Exists("/etc/debian_version") && File.Exists(AptGet);

    private static Task RunAptGetAsync(IReadOnlyList<string> arguments, string logName, Action<string> log, CancellationToken ct)
    {
        log($"{logName}: apt-get {string.Join(' ', arguments)}");
        return ChildProcess.RunToCompletionAsync(new ChildProcessOptions
        {
            Name = "apt-get",
            FileName = AptGet,
            // Wait for another apt/dpkg (say, another test process installing) instead of failing on its lock.
            Arguments = ["-o", "DPkg::Lock::Timeout=120", .. arguments],
            Environment = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" },
            Output = line => log($"apt-get: {line}"),
            StopTimeout = TimeSpan.FromSeconds(30),
        }, ct);
    }
}
