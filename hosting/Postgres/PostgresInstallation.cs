using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>
/// Finds the server binaries, installing Debian's <c>postgresql</c> package first when they are missing and
/// we are allowed to (root on Debian/Ubuntu). Anywhere else it tells the developer what to install.
/// </summary>
internal static class PostgresInstallation
{
    private const string PackageName = "postgresql";

    public static Task<PostgresBinaries> LocateOrInstallAsync(Action<string> log, CancellationToken ct) =>
        DebianPackage.LocateOrInstallAsync(
            PackageName,
            PostgresBinaries.FindNewest,
            $"the PostgreSQL server binaries (initdb and postgres under {PostgresBinaries.DebianPackageRoot}/<version>/bin)",
            "postgres",
            log,
            ct);
}
