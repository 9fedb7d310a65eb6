using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Redis;

/// <summary>
/// Finds Debian's <c>redis-server</c> binary, installing the package first when it is missing and we are
/// allowed to (root on Debian/Ubuntu). Anywhere else it tells the developer what to install.
/// </summary>
internal static class RedisInstallation
{
    private const string PackageName = "redis-server";
    private const string ServerBinary = "/usr/bin/redis-server";

    public static Task<string> LocateOrInstallAsync(Action<string> log, CancellationToken ct) =>
        DebianPackage.LocateOrInstallAsync(
            PackageName,
            () => File.Exists(ServerBinary) ? ServerBinary : null,
            $"the Redis server binary {ServerBinary}",
            "redis",
            log,
            ct);
}
