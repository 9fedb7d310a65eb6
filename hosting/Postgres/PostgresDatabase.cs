namespace HrmsAttendance.Hosting.Postgres;

/// <summary>A database made by <see cref="PostgresServer.EnsureDatabaseAsync"/>, with a connection string per role.</summary>
public sealed class PostgresDatabase
{
    private readonly IReadOnlyDictionary<string, string> _connectionStringsByRole;

    internal PostgresDatabase(string name, string ownerRole, IReadOnlyDictionary<string, string> connectionStringsByRole)
    {
        Name = name;
        _connectionStringsByRole = connectionStringsByRole;
        OwnerConnectionString = connectionStringsByRole[ownerRole];
    }

    public string Name { get; }

    /// <summary>As the owner role, over TCP to 127.0.0.1 with its password.</summary>
    public string OwnerConnectionString { get; }

    /// <summary>As <paramref name="loginRole"/> (the owner or one of the login roles passed to EnsureDatabaseAsync).</summary>
    public string ConnectionStringFor(string loginRole) =>
        _connectionStringsByRole.TryGetValue(loginRole, out var connectionString)
            ? connectionString
            : throw new ArgumentException(
                $"'{loginRole}' was not passed to EnsureDatabaseAsync for database '{Name}'. " +
                $"Known roles: {string.Join(", ", _connectionStringsByRole.Keys)}.", nameof(loginRole));
}
