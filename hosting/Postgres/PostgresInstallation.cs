using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>
/// Finds the server binaries, installing Debian's <c>postgresql</c> package first when they are missing and
/// we are allowed to (root on Debian/Ubuntu). Anywhere else it tells the developer what to install.
/// </summary>
internal static class PostgresInstallation
{
    private const string PackageName = "postgresql";
    private const string AptGet = "/usr/bin/apt-get";

    // Concurrent starts in one process must not run apt-get twice (apt holds a lock and the second would fail).
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static async Task<PostgresBinaries> LocateOrInstallAsync(Action<string> log, CancellationToken ct)
    {
        if (PostgresBinaries.FindNewest() is { } installed)
        {
            return installed;
        }

        await InstallGate.WaitAsync(ct);
        try
        {
            if (PostgresBinaries.FindNewest() is { } installedMeanwhile)
            {
                return installedMeanwhile;
            }
            if (!CanInstallWithApt())
            {
                throw new InvalidOperationException(
                    $"PostgreSQL server binaries were not found under {PostgresBinaries.DebianPackageRoot}/<version>/bin. " +
                    $"Install them with: sudo apt-get install {PackageName}");
            }

            log($"postgres: server binaries not found; installing the Debian package '{PackageName}'");
            await RunAptGetAsync(["update"], log, ct);
            await RunAptGetAsync(["install", "-y", PackageName], log, ct);

            return PostgresBinaries.FindNewest() ?? throw new InvalidOperationException(
                $"apt-get installed '{PackageName}' but no server binaries appeared under {PostgresBinaries.DebianPackageRoot}.");
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static bool CanInstallWithApt() =>
        Environment.IsPrivilegedProcess && File.Exists("/etc/debian_version") && File.Exists(AptGet);

    private static Task RunAptGetAsync(IReadOnlyList<string> arguments, Action<string> log, CancellationToken ct)
    {
        log($"postgres: apt-get {string.Join(' ', arguments)}");
        return ChildProcess.RunToCompletionAsync(new ChildProcessOptions
        {
            Name = "apt-get",
            FileName = AptGet,
            Arguments = arguments,
            Environment = new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" },
            Output = line => log($"apt-get: {line}"),
            StopTimeout = TimeSpan.FromSeconds(30),
        }, ct);
    }
}
