using HrmsAttendance.Database;

namespace HrmsAttendance.Connectors.Database;

/// <summary>
/// A connector's schema: the SQL files in <c>Database/Migrations</c>, embedded once in this library and applied once per
/// connector with its schema and login role written in (<c>{{schema}}</c>, <c>{{app_role}}</c>), under the component
/// name of the connector's service (e.g. <c>dingtalk-connector</c>) in <c>public.schema_migrations</c>.
/// </summary>
public static class ConnectorDatabase
{
    private const string ResourcePrefix = "ConnectorMigrations.";

    public static IReadOnlyList<SqlMigration> MigrationsFor(ConnectorProvider provider) =>
        SqlMigrationRunner.LoadEmbedded(typeof(ConnectorDatabase).Assembly, ResourcePrefix)
            .Select(m => m with { Sql = m.Sql.Replace("{{schema}}", provider.Schema, StringComparison.Ordinal)
                                             .Replace("{{app_role}}", provider.AppRole, StringComparison.Ordinal) })
            .ToList();

    public static SqlMigrationRunner CreateMigrationRunner(ConnectorProvider provider, Action<string>? log = null) =>
        new(provider.ServiceName, MigrationsFor(provider), log);

    /// <summary>Applies pending migrations as the owner; returns the names applied now.</summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(ConnectorProvider provider, string ownerConnectionString, CancellationToken ct = default) =>
        CreateMigrationRunner(provider).MigrateAsync(ownerConnectionString, ct);
}
