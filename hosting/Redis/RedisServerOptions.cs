namespace HrmsAttendance.Hosting.Redis;

public sealed class RedisServerOptions
{
    /// <summary>
    /// The server's own directory, kept between runs: the generated password lives in <c>credentials.json</c>
    /// (mode 600), so a restart hands out the same connection string. Created if missing.
    /// Redis keeps no data here: nothing is persisted (it is never the system of record).
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Progress messages and every line the server writes. Called from thread-pool threads.</summary>
    public Action<string>? Log { get; init; }
}
