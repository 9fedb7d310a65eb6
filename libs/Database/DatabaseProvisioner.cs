using System.Text;
using Npgsql;

namespace HrmsAttendance.Database;

/// <summary>
/// Brings a database and its login roles to the wanted state, as a superuser: every role is LOGIN NOSUPERUSER
/// NOBYPASSRLS with the given password, the database belongs to its owner, only the listed roles may connect, and
/// nobody but the owner may use schema public. Every step is idempotent and corrects what it finds (attributes,
/// password, owner), so running it at every start is harmless.
/// </summary>
public static class DatabaseProvisioner
{
    private const string Superuser = "postgres";
    private const int MaxNameBytes = 63; // NAMEDATALEN - 1; longer names would be silently truncated by the server

    /// <param name="superuserConnectionString">A superuser connected to <paramref name="database"/>, which exists.</param>
    /// <param name="owner">The schema owner's login (runs the migrations).</param>
    /// <param name="logins">The services' logins: they may connect, and get their grants from the migrations.</param>
    public static async Task EnsureAsync(string superuserConnectionString, string database, DatabaseLogin owner,
        IReadOnlyList<DatabaseLogin> logins, CancellationToken ct = default)
    {
        ValidateName(database, nameof(database));
        foreach (var login in logins.Prepend(owner))
            ValidateRole(login.Role);

        await using var connection = new NpgsqlConnection(superuserConnectionString);
        await connection.OpenAsync(ct);
        foreach (var login in logins.Prepend(owner).DistinctBy(l => l.Role))
            await EnsureLoginRoleAsync(connection, login, ct);

        var db = Quote(database);
        await ExecuteAsync(connection, $"ALTER DATABASE {db} OWNER TO {Quote(owner.Role)}", ct);
        await ExecuteAsync(connection, $"REVOKE ALL ON DATABASE {db} FROM PUBLIC", ct);
        foreach (var login in logins)
            await ExecuteAsync(connection, $"GRANT CONNECT ON DATABASE {db} TO {Quote(login.Role)}", ct);
        if (connection.Database == database)
            await ExecuteAsync(connection, "REVOKE ALL ON SCHEMA public FROM PUBLIC", ct);
        else
            throw new ArgumentException($"The superuser connection string must name database '{database}', not '{connection.Database}'.",
                nameof(superuserConnectionString));
    }

    /// <summary>Creates or corrects a login role that can never bypass row-level security.</summary>
    private static async Task EnsureLoginRoleAsync(NpgsqlConnection superuser, DatabaseLogin login, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", superuser)
        {
            Parameters = { new() { Value = login.Role } },
        };
        var verb = (bool)(await exists.ExecuteScalarAsync(ct))! ? "ALTER ROLE" : "CREATE ROLE";
        await ExecuteAsync(superuser,
            $"{verb} {Quote(login.Role)} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE " +
            $"NOREPLICATION INHERIT PASSWORD {QuoteLiteral(login.Password)}", ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    // Role and database names go into DDL, which takes no parameters: quote them safely.
    private static string Quote(string name) => '"' + name.Replace("\"", "\"\"") + '"';

    private static string QuoteLiteral(string value) => '\'' + value.Replace("'", "''") + '\'';

    private static void ValidateName(string name, string paramName)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('\0') || Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            throw new ArgumentException($"'{name}' is not a usable PostgreSQL name (1 to {MaxNameBytes} bytes, no NUL).", paramName);
    }

    /// <summary>Roles we may create and demote: never the bootstrap superuser nor the reserved pg_* names.</summary>
    private static void ValidateRole(string role)
    {
        ValidateName(role, nameof(role));
        if (role == Superuser || role.StartsWith("pg_", StringComparison.Ordinal))
            throw new ArgumentException($"'{role}' is reserved; choose an application role name.", nameof(role));
    }
}

/// <summary>A login role and its password.</summary>
public sealed record DatabaseLogin(string Role, string Password)
{
    /// <summary>The role and password a connection string logs in with (Npgsql format).</summary>
    public static DatabaseLogin FromConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new DatabaseLogin(
            builder.Username ?? throw new ArgumentException("The connection string names no Username."),
            builder.Password ?? throw new ArgumentException($"The connection string of '{builder.Username}' has no Password."));
    }

    public override string ToString() => Role; // never the password
}
