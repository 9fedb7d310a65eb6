namespace HrmsAttendance.Hosting;

/// <summary>A private PostgreSQL server (Debian's binaries, see hosting/Postgres). Its data lives in &lt;data&gt;/&lt;name&gt;/.</summary>
public sealed class PostgresServerResource(string name) : Resource(name), IResourceWithConnectionString
{
    public override string Type => "postgres";

    /// <summary>Fixed port on 127.0.0.1, or 0 to pick a free one at every start.</summary>
    public int Port { get; internal set; }

    public IReadOnlyList<PostgresDatabaseResource> Databases => _databases;

    internal readonly List<PostgresDatabaseResource> _databases = [];
}

/// <summary>
/// A database in a <see cref="PostgresServerResource"/>, owned by <see cref="OwnerRole"/>. Every role a project
/// references it with becomes a LOGIN NOSUPERUSER NOBYPASSRLS role allowed to connect.
/// <c>ConnectionStrings__&lt;name&gt;</c> is that role's connection string.
/// </summary>
public sealed class PostgresDatabaseResource : Resource, IResourceWithConnectionString, IResourceWithParent
{
    private readonly SortedSet<string> _loginRoles = new(StringComparer.Ordinal);

    internal PostgresDatabaseResource(string name, PostgresServerResource server, string databaseName, string ownerRole) : base(name)
    {
        Server = server;
        DatabaseName = databaseName;
        OwnerRole = ownerRole;
    }

    public override string Type => "database";

    public PostgresServerResource Server { get; }

    Resource IResourceWithParent.Parent => Server;

    public string DatabaseName { get; }

    public string OwnerRole { get; }

    /// <summary>The roles projects reference this database with (the owner not included unless referenced).</summary>
    public IReadOnlyCollection<string> LoginRoles => _loginRoles;

    public override IEnumerable<Resource> Dependencies => base.Dependencies.Append(Server).Distinct();

    internal void AddLoginRole(string role) => _loginRoles.Add(role);
}
