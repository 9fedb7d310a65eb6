using Npgsql;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>
/// The SQL behind <see cref="PostgresServer.EnsureDatabaseAsync"/>. Every step is idempotent and brings an
/// existing object back to the wanted state (attributes, password, owner), so running it again is harmless.
/// </summary>
internal static class DatabaseProvisioner
{
    /// <summary>Creates or corrects a login role that can never bypass row-level security.</summary>
    public static async Task EnsureLoginRoleAsync(NpgsqlConnection superuser, string role, string password, CancellationToken ct)
    {
        var exists = await ScalarAsync(superuser, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role, ct);
        var verb = exists ? "ALTER ROLE" : "CREATE ROLE";
        await ExecuteAsync(superuser,
            $"{verb} {SqlIdentifier.Quote(role)} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE " +
            $"NOREPLICATION INHERIT PASSWORD {SqlIdentifier.QuoteLiteral(password)}", ct);
    }

    /// <summary>Creates the database owned by <paramref name="owner"/>, or hands an existing one to it.</summary>
    public static async Task EnsureDatabaseAsync(NpgsqlConnection superuser, string database, string owner, CancellationToken ct)
    {
        var exists = await ScalarAsync(superuser, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", database, ct);
        var db = SqlIdentifier.Quote(database);
        await ExecuteAsync(superuser, exists
            ? $"ALTER DATABASE {db} OWNER TO {SqlIdentifier.Quote(owner)}"
            : $"CREATE DATABASE {db} OWNER {SqlIdentifier.Quote(owner)} ENCODING 'UTF8' TEMPLATE template0", ct);
    }

    /// <summary>Only the owner and the listed roles may connect.</summary>
    public static async Task RestrictConnectAsync(NpgsqlConnection superuser, string database, IEnumerable<string> loginRoles, CancellationToken ct)
    {
        var db = SqlIdentifier.Quote(database);
        await ExecuteAsync(superuser, $"REVOKE ALL ON DATABASE {db} FROM PUBLIC", ct);
        foreach (var role in loginRoles)
        {
            await ExecuteAsync(superuser, $"GRANT CONNECT ON DATABASE {db} TO {SqlIdentifier.Quote(role)}", ct);
        }
    }

    /// <summary>Run while connected to the new database: nobody but its owner may use or create in schema public.</summary>
    public static Task LockDownPublicSchemaAsync(NpgsqlConnection superuserInDatabase, CancellationToken ct) =>
        ExecuteAsync(superuserInDatabase, "REVOKE ALL ON SCHEMA public FROM PUBLIC", ct);

    private static async Task<bool> ScalarAsync(NpgsqlConnection connection, string sql, string parameter, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = parameter } } };
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
