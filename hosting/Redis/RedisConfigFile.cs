using System.Globalization;
using System.Text;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Redis;

/// <summary>
/// redis.conf for a private, non-persistent server. A file rather than command-line flags: the password must
/// not show in <c>ps</c> or /proc/&lt;pid&gt;/cmdline, so it goes into a mode-600 file instead.
/// </summary>
internal static class RedisConfigFile
{
    public static void Write(RedisDataDirectory directory, int port, string password)
    {
        var config = new StringBuilder()
            .AppendLine("# Written by HrmsAttendance.Hosting on every start: edits are overwritten.")
            .AppendLine(CultureInfo.InvariantCulture, $"port {port}")
            .AppendLine("bind 127.0.0.1")
            .AppendLine("protected-mode yes")
            .AppendLine("daemonize no")
            .AppendLine("logfile \"\"") // stdout, which the supervisor collects
            .AppendLine(CultureInfo.InvariantCulture, $"dir {Quote(directory.Root)}")
            // Never the system of record here: no snapshots, no append-only file, nothing written on shutdown.
            .AppendLine("save \"\"")
            .AppendLine("appendonly no")
            .AppendLine(CultureInfo.InvariantCulture, $"requirepass {password}")
            .ToString();
        PrivateFile.WriteText(directory.ConfigFile, config);
    }

    /// <summary>redis.conf's double-quoted string: backslash escapes, so any path survives (spaces included).</summary>
    private static string Quote(string value) => '"' + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + '"';
}
