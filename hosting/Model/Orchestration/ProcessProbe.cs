using System.Globalization;

namespace HrmsAttendance.Hosting.Orchestration;

/// <summary>Silent liveness probes from /proc: no connection is made, so no server logs a probe.</summary>
internal static class ProcessProbe
{
    /// <summary>True while the pid exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True if a TCP socket listens on 127.0.0.1:<paramref name="port"/> (or on any address), per /proc/net/tcp.</summary>
    public static bool IsListening(int port)
    {
        const string Listen = "0A";
        var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
        try
        {
            foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
            {
                // sl local_address rem_address st ...  e.g. "0: 0100007F:1F90 00000000:0000 0A ..."
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length > 3 && columns[3] == Listen && columns[1].EndsWith(":" + hexPort, StringComparison.Ordinal))
                    return true;
            }
            return false;
        }
        catch (IOException)
        {
            return true; // cannot tell: do not report a healthy server as down
        }
    }
}
