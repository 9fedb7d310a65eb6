using Aspire.Hosting.ApplicationModel;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>
/// A PostgreSQL server from Debian's <c>postgresql</c> package, run as an executable resource on 127.0.0.1.
/// As root it runs as the <c>postgres</c> user (through <c>setpriv</c>, which execs the server in its place), under a
/// small shell that turns DCP's SIGTERM into Postgres's fast shutdown.
/// </summary>
public sealed class LocalPostgresServerResource : LocalServerResource
{
    private readonly Dictionary<string, string> _databases = new(StringComparer.OrdinalIgnoreCase);

    public LocalPostgresServerResource(string name, string dataDirectory)
        : base(name, "/bin/sh", dataDirectory)
    {
    }

    /// <summary>The superuser every connection string of this server uses.</summary>
    public string UserName => "postgres";

    /// <summary>Database resources of this server: resource name → database name.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    /// <summary>Npgsql format: <c>Host=127.0.0.1;Port=…;Username=postgres;Password=…</c>.</summary>
    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host={Host};Port={Port};Username={UserName};Password={PasswordParameter}");

    internal string ClusterDirectory => Path.Combine(DataDirectory, "pgdata");

    internal string SocketDirectory => Path.Combine(DataDirectory, "sockets");

    internal override IReadOnlyList<string> StateEntries => ["pgdata", "sockets"];

    /// <summary>The superuser connection string, for the health checks and database creation (no pooling: idle
    /// pooled connections would hold up the server's smart shutdown on SIGTERM).</summary>
    internal string GetConnectionString(string database) =>
        $"Host={Host};Port={AllocatedPort};Username={UserName};Password={Credentials.Get("password")};Database={database};Pooling=false;Timeout=5";

    internal void AddDatabase(string resourceName, string databaseName) => _databases.TryAdd(resourceName, databaseName);

    internal const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>The newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> holding <c>postgres</c> and <c>initdb</c>.</summary>
    internal static string? FindBinDirectory()
    {
        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            return null;
        }
        return Directory.EnumerateDirectories("/usr/lib/postgresql")
            .Select(directory => (Version: int.TryParse(Path.GetFileName(directory), out var version) ? version : -1, Bin: Path.Combine(directory, "bin")))
            .Where(candidate => candidate.Version >= 0 && File.Exists(Path.Combine(candidate.Bin, "postgres")) && File.Exists(Path.Combine(candidate.Bin, "initdb")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault();
    }
}
