namespace HrmsAttendance.Hosting.LocalServers.Tests;

internal static class TestDirectories
{
    /// <summary>A fresh directory under /tmp that other users (postgres) can traverse.</summary>
    public static string Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), "localservers-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    public static void Delete(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Processes whose command line or environment mentions <paramref name="directory"/>.</summary>
    public static List<string> ProcessesMentioning(string directory)
    {
        var found = new List<string>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText($"{entry}/cmdline").Replace('\0', ' ');
                if (commandLine.Contains(directory, StringComparison.Ordinal) || File.ReadAllText($"{entry}/environ").Contains(directory, StringComparison.Ordinal))
                {
                    found.Add($"{pid}: {commandLine}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
