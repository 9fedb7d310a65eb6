using System.Text;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>Creates the cluster with initdb on first use of a data directory.</summary>
internal static class PostgresCluster
{
    public static async Task EnsureInitializedAsync(
        PostgresDataDirectory directory,
        PostgresBinaries binaries,
        PostgresOsUser osUser,
        PostgresCredentials credentials,
        Action<string> log,
        CancellationToken ct)
    {
        if (directory.HasCluster)
        {
            log($"postgres: reusing the cluster in {directory.ClusterDirectory}");
            return;
        }

        log($"postgres: creating a PostgreSQL {binaries.MajorVersion} cluster in {directory.ClusterDirectory}");
        var staging = directory.StagingClusterDirectory;
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true); // left over from an interrupted initdb
        }
        Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await osUser.TakeOwnershipAsync(staging, ct);

        var passwordFile = Path.Combine(directory.Root, "initdb-password");
        PrivateFile.Write(passwordFile, stream => stream.Write(Encoding.UTF8.GetBytes(credentials.SuperuserPassword)));
        try
        {
            await osUser.TakeOwnershipAsync(passwordFile, ct);
            await ChildProcess.RunToCompletionAsync(osUser.Command("initdb", binaries.InitDb,
            [
                "--no-sync", // -N: 10x faster; the server itself keeps fsync on
                "-D", staging,
                "-U", PostgresServer.SuperuserName,
                "--auth-local=trust", // only the private socket directory (mode 700) reaches it
                "--auth-host=scram-sha-256",
                $"--pwfile={passwordFile}",
                "-E", "UTF8",
                "--locale=C.UTF-8",
            ], output: null), ct);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        // Only a complete cluster ever appears under the name we look for.
        Directory.Move(staging, directory.ClusterDirectory);
    }
}
