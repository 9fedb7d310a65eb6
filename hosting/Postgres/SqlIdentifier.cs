using System.Text;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>Role and database names go into DDL, which takes no parameters: quote them safely.</summary>
internal static class SqlIdentifier
{
    private const int MaxBytes = 63; // NAMEDATALEN - 1; longer names would be silently truncated by the server

    public static string Quote(string name) => '"' + name.Replace("\"", "\"\"") + '"';

    public static string QuoteLiteral(string value) => '\'' + value.Replace("'", "''") + '\'';

    public static void Validate(string name, string paramName)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('\0') || Encoding.UTF8.GetByteCount(name) > MaxBytes)
        {
            throw new ArgumentException($"'{name}' is not a usable PostgreSQL name (1 to {MaxBytes} bytes, no NUL).", paramName);
        }
    }

    /// <summary>Roles we may create and demote: never the bootstrap superuser nor the reserved pg_* names.</summary>
    public static void ValidateAppRole(string role, string paramName)
    {
        Validate(role, paramName);
        if (role == PostgresServer.SuperuserName || role.StartsWith("pg_", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{role}' is reserved; choose an application role name.", paramName);
        }
    }
}
