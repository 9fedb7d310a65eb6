using Aspire.Hosting.ApplicationModel;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>A Redis server from Debian's <c>redis-server</c> package, run as an executable resource on 127.0.0.1.</summary>
public sealed class LocalRedisResource(string name, string dataDirectory)
    : LocalServerResource(name, ServerBinary, dataDirectory)
{
    internal const string ServerBinary = "/usr/bin/redis-server";

    /// <summary>StackExchange.Redis format: <c>127.0.0.1:PORT,password=…</c>.</summary>
    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Host}:{Port},password={PasswordParameter}");

    internal string ConfigFile => Path.Combine(DataDirectory, "redis.conf");

    internal string DumpDirectory => Path.Combine(DataDirectory, "data");

    internal override IReadOnlyList<string> StateEntries => ["data", "redis.conf"];

    internal string GetConnectionString() => $"{Host}:{AllocatedPort},password={Credentials.Get("password")},abortConnect=false,connectTimeout=2000";
}
