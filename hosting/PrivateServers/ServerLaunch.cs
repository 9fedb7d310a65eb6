namespace HrmsAttendance.Hosting.PrivateServers;

/// <summary>Steps every launcher's start shares.</summary>
internal static class ServerLaunch
{
    public static void RequireLinux(string serverName)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException($"The {serverName} launcher runs Debian's binaries and supports Linux only.");
        }
    }

    /// <summary>
    /// Creates a fresh directory under the system temp directory and starts a server on it with
    /// <paramref name="start"/> (which hands the directory to the server to delete on dispose); deletes it if the
    /// start fails.
    /// </summary>
    public static async Task<TServer> InTemporaryDirectoryAsync<TServer>(string prefix, Func<string, Task<TServer>> start)
    {
        var directory = Directory.CreateTempSubdirectory(prefix).FullName;
        try
        {
            return await start(directory);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }
}
