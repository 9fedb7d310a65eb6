namespace HrmsAttendance.Hosting.Postgres;

public sealed class PostgresServerOptions
{
    /// <summary>
    /// The server's own directory, kept between runs: the cluster lives in <c>pgdata/</c> and the generated
    /// passwords in <c>credentials.json</c>. An existing cluster there is reused. Created if missing.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Progress messages and every line the server writes. Called from thread-pool threads.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Extra server settings, passed as <c>-c name=value</c> after the defaults (so they win), e.g.
    /// <c>["log_min_duration_statement"] = "0"</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }
}
