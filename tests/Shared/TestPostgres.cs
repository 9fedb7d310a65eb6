using System.Collections.Concurrent;
using System.Security.Cryptography;
using Aspire.Hosting.Testing;
using HrmsAttendance.Database;
using HrmsAttendance.Hosting.LocalServers;
using Npgsql;

namespace HrmsAttendance.Tests.Shared;

/// <summary>
/// A private Postgres for a test fixture: the AppHost's own local-server resource run by an Aspire test app on a
/// temporary data directory (<see cref="LocalPostgresForTests"/>, hosting-integrations/LocalServers), deleted on
/// dispose. Databases and their NOSUPERUSER NOBYPASSRLS login roles are made with the same
/// <see cref="DatabaseProvisioner"/> the migrations resource uses.
/// </summary>
public sealed class TestPostgresServer : IAsyncDisposable
{
    private readonly LocalPostgresForTests _postgres;
    private readonly ConcurrentDictionary<string, string> _passwords = new();

    private TestPostgresServer(LocalPostgresForTests postgres) => _postgres = postgres;

    /// <summary>A server on a temporary data directory, deleted on dispose.</summary>
    public static async Task<TestPostgresServer> StartTemporaryAsync(CancellationToken ct = default) =>
        new(await LocalPostgresForTests.StartAsync(DistributedApplicationTestingBuilder.Create(), cancellationToken: ct));

    /// <summary>The bootstrap superuser, connected to <paramref name="database"/>. Bypasses RLS.</summary>
    public string SuperuserConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder(_postgres.ConnectionString) { Database = database }.ConnectionString;

    /// <summary>
    /// Makes sure <paramref name="database"/> exists, owned by <paramref name="ownerRole"/>, with every login role able
    /// to connect (passwords generated once per role per server).
    /// </summary>
    public async Task<TestDatabase> EnsureDatabaseAsync(string database, string ownerRole, IReadOnlyList<string> loginRoles,
        CancellationToken ct = default)
    {
        await using (var connection = new NpgsqlConnection(SuperuserConnectionString()))
        {
            await connection.OpenAsync(ct);
            await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", connection)
            {
                Parameters = { new() { Value = database } },
            };
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\" ENCODING 'UTF8' TEMPLATE template0", connection);
                await create.ExecuteNonQueryAsync(ct);
            }
        }
        DatabaseLogin Login(string role) => new(role, _passwords.GetOrAdd(role, _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));
        await DatabaseProvisioner.EnsureAsync(SuperuserConnectionString(database), database, Login(ownerRole),
            [.. loginRoles.Select(Login)], ct);
        return new TestDatabase(database, ownerRole, role => new NpgsqlConnectionStringBuilder(SuperuserConnectionString(database))
        {
            Username = role,
            Password = Login(role).Password,
        }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _postgres.DisposeAsync();
    }
}

/// <summary>A database on a <see cref="TestPostgresServer"/> and its roles' connection strings.</summary>
public sealed class TestDatabase(string name, string ownerRole, Func<string, string> connectionStringFor)
{
    public string Name { get; } = name;
    public string OwnerRole { get; } = ownerRole;
    public string OwnerConnectionString => connectionStringFor(OwnerRole);
    public string ConnectionStringFor(string role) => connectionStringFor(role);
}
