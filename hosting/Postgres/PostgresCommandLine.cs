namespace HrmsAttendance.Hosting.Postgres;

/// <summary>The <c>postgres</c> server arguments: sensible settings for a private dev/test server.</summary>
internal static class PostgresCommandLine
{
    public static IReadOnlyList<string> Build(
        string clusterDirectory, int port, string socketDirectory, IReadOnlyDictionary<string, string>? extraSettings)
    {
        // fsync and synchronous_commit stay on: benchmarks must measure a real server.
        var settings = new List<KeyValuePair<string, string>>
        {
            new("listen_addresses", "127.0.0.1"),
            new("unix_socket_directories", socketDirectory),
            new("shared_buffers", "128MB"),
            new("max_connections", "200"),
            new("logging_collector", "off"), // log to stderr, which the supervisor collects
            new("log_destination", "stderr"),
        };
        settings.AddRange(extraSettings ?? new Dictionary<string, string>()); // later -c wins

        List<string> arguments = ["-D", clusterDirectory, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var (name, value) in settings)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('='))
            {
                throw new ArgumentException($"'{name}' is not a PostgreSQL setting name.", nameof(extraSettings));
            }
            arguments.Add("-c");
            arguments.Add($"{name}={value}");
        }
        return arguments;
    }
}
