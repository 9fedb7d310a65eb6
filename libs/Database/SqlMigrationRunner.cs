using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace HrmsAttendance.Database;

/// <summary>One SQL migration: its file name (the sort key) and its text.</summary>
public sealed record SqlMigration(string Name, string Sql)
{
    /// <summary>
    /// SHA-256 (lower-case hex) of the text with line endings normalised to LF, so a checkout with CRLF
    /// line endings does not look like an edited migration.
    /// </summary>
    public string Checksum => ComputeChecksum(Sql); // computed, so `with { Sql = … }` cannot carry a stale one

    public static string ComputeChecksum(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
}

/// <summary>
/// Applies the SQL files a component embeds in its assembly, in file-name order, each in its own
/// transaction, as whoever the connection string names (the schema owner). Applied files are recorded
/// in <c>public.schema_migrations(component, name, checksum, applied_at)</c>; a file already applied is
/// never run again, and one whose text changed since is refused with
/// <see cref="MigrationChecksumMismatchException"/> (ship a new file instead). A session-level advisory
/// lock per component makes concurrent runners (several replicas starting at once) take turns: the
/// second one finds everything applied.
/// </summary>
public sealed partial class SqlMigrationRunner
{
    private readonly IReadOnlyList<SqlMigration> _migrations;
    private readonly Action<string> _log;

    /// <param name="component">Names the component in the history table and keys its lock, e.g. "punch-ledger".</param>
    /// <param name="assembly">The assembly holding the SQL files as embedded resources.</param>
    /// <param name="resourcePrefix">
    /// The resource name prefix of the files, e.g. "Migrations." for resources named
    /// "Migrations.0001_schema.sql"; the rest of the name is the migration's name.
    /// </param>
    public SqlMigrationRunner(string component, Assembly assembly, string resourcePrefix, Action<string>? log = null)
        : this(component, LoadEmbedded(assembly, resourcePrefix), log)
    {
    }

    /// <summary>A runner over migrations from anywhere (tests, tools); names must be NNNN_name.sql.</summary>
    public SqlMigrationRunner(string component, IEnumerable<SqlMigration> migrations, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(component);
        ArgumentNullException.ThrowIfNull(migrations);
        Component = component;
        _migrations = Validate(migrations);
        _log = log ?? (_ => { });
    }

    public string Component { get; }

    /// <summary>The migrations in the order they apply.</summary>
    public IReadOnlyList<SqlMigration> Migrations => _migrations;

    /// <summary>Reads the SQL files embedded in <paramref name="assembly"/> under <paramref name="resourcePrefix"/>.</summary>
    public static IReadOnlyList<SqlMigration> LoadEmbedded(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourcePrefix);
        var migrations = new List<SqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(resourcePrefix, StringComparison.Ordinal) ||
                !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new SqlMigration(resource[resourcePrefix.Length..], reader.ReadToEnd()));
        }
        if (migrations.Count == 0)
        {
            throw new InvalidOperationException(
                $"Assembly {assembly.GetName().Name} embeds no '{resourcePrefix}*.sql' resources; check the EmbeddedResource item.");
        }
        return migrations;
    }

    private static List<SqlMigration> Validate(IEnumerable<SqlMigration> source)
    {
        var migrations = source.ToList();
        foreach (var migration in migrations)
        {
            if (!MigrationName().IsMatch(migration.Name))
            {
                throw new InvalidOperationException(
                    $"Migration '{migration.Name}' is not named NNNN_name.sql (four digits, an underscore, a name).");
            }
        }
        migrations.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var duplicate = migrations.GroupBy(m => m.Name[..4]).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Migrations {string.Join(" and ", duplicate.Select(m => m.Name))} share the number {duplicate.Key}.");
        }
        return migrations;
    }

    /// <summary>Applies the pending migrations; returns the names applied by this call, in order.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var migrations = _migrations;
        // A dedicated, unpooled connection: the session lock must die with it if this process does.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 0 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);

        await EnsureHistoryTableAsync(connection, ct);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock($1)", ct, LockKey(Component));
        try
        {
            var applied = await ReadHistoryAsync(connection, ct);
            var appliedNow = new List<string>();
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Name, out var recordedChecksum))
                {
                    if (!string.Equals(recordedChecksum, migration.Checksum, StringComparison.Ordinal))
                    {
                        throw new MigrationChecksumMismatchException(Component, migration.Name, recordedChecksum, migration.Checksum);
                    }
                    continue;
                }
                await ApplyAsync(connection, migration, ct);
                appliedNow.Add(migration.Name);
            }
            _log(appliedNow.Count == 0
                ? $"migrations({Component}): up to date ({migrations.Count} applied)"
                : $"migrations({Component}): applied {string.Join(", ", appliedNow)}");
            return appliedNow;
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock($1)", CancellationToken.None, LockKey(Component));
            }
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, SqlMigration migration, CancellationToken ct)
    {
        _log($"migrations({Component}): applying {migration.Name}");
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(ct);
            }
            await using (var record = new NpgsqlCommand(
                "INSERT INTO public.schema_migrations (component, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = Component });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
                await record.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
        }
        catch (PostgresException e)
        {
            throw new MigrationFailedException(Component, migration.Name, e);
        }
    }

    /// <summary>
    /// Components share the history table; creating it is serialized by a transaction-level lock of its
    /// own, because CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin.
    /// </summary>
    private static async Task EnsureHistoryTableAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = LockKey("schema_migrations") });
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        await using (var create = new NpgsqlCommand(
            """
            CREATE TABLE IF NOT EXISTS public.schema_migrations (
              component text NOT NULL,
              name text NOT NULL,
              checksum text NOT NULL,
              applied_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (component, name)
            )
            """, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    private async Task<Dictionary<string, string>> ReadHistoryAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT name, checksum FROM public.schema_migrations WHERE component = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Component });
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }
        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, long key)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A stable 64-bit advisory lock key: the first 8 bytes of SHA-256("schema-migrations:" + name).</summary>
    public static long LockKey(string name) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("schema-migrations:" + name)), 0);

    [GeneratedRegex(@"^\d{4}_[A-Za-z0-9_]+\.sql$")]
    private static partial Regex MigrationName();
}

/// <summary>An applied migration's file changed since it was applied. Ship the change as a new migration.</summary>
public sealed class MigrationChecksumMismatchException(string component, string migrationName, string recordedChecksum, string currentChecksum)
    : Exception($"Migration '{migrationName}' of component '{component}' was applied with checksum {recordedChecksum}, " +
                $"but the file now has checksum {currentChecksum}. Applied migrations must not change; add a new migration instead.")
{
    public string Component { get; } = component;
    public string MigrationName { get; } = migrationName;
    public string RecordedChecksum { get; } = recordedChecksum;
    public string CurrentChecksum { get; } = currentChecksum;
}

/// <summary>A migration's SQL failed; nothing of it was applied (its transaction rolled back).</summary>
public sealed class MigrationFailedException(string component, string migrationName, PostgresException inner)
    : Exception($"Migration '{migrationName}' of component '{component}' failed: {inner.SqlState} {inner.MessageText}" +
                (inner.Position > 0 ? $" (at character {inner.Position})" : ""), inner)
{
    public string Component { get; } = component;
    public string MigrationName { get; } = migrationName;
}
