using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.PrivateServers;

/// <summary>Reports a server that exited while its launcher was waiting for it to be ready.</summary>
internal static class EarlyExit
{
    /// <summary>What PostgreSQL and Redis write when their port is taken (the C library's text for EADDRINUSE).</summary>
    public static readonly string[] AddressInUse = ["Address already in use"];

    /// <summary>
    /// A <see cref="PortTakenException"/> if a line of its recent output holds one of
    /// <paramref name="portTakenMarkers"/>, otherwise an <see cref="InvalidOperationException"/> with its exit
    /// code: "<paramref name="serverName"/> exited with code N before <paramref name="awaited"/>." Both end with
    /// its last output lines.
    /// </summary>
    /// <param name="takenPorts">How the port-taken message names the ports: "Another process holds {takenPorts}."</param>
    public static Exception Describe(
        ChildProcess server, string serverName, string awaited, IReadOnlyList<string> portTakenMarkers, string takenPorts = "the port")
    {
        var output = server.RecentOutput;
        if (output.Any(line => portTakenMarkers.Any(marker => line.Contains(marker, StringComparison.Ordinal))))
        {
            return new PortTakenException($"Another process holds {takenPorts}.{output.FormatTail()}");
        }
        return new InvalidOperationException(
            $"{serverName} exited with code {server.ExitCode} before {awaited}.{output.FormatTail()}");
    }
}
