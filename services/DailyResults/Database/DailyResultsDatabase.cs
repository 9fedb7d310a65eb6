using HrmsAttendance.Database;

namespace HrmsAttendance.DailyResults.Database;

/// <summary>
/// The daily-results service's own Postgres schema (<c>results</c>, the change feed, in the shared <c>attendance</c>
/// database): its migrations, the SQL files in <c>Database/Migrations</c> embedded as <c>Migrations.NNNN_name.sql</c>.
/// Its role also reads the ledger's results (the ledger's migration 0007 grants that).
/// </summary>
public static class DailyResultsDatabase
{
    /// <summary>The service's login role.</summary>
    public const string AppRole = "daily_results_app";

    /// <summary>The component name in <c>public.schema_migrations</c>.</summary>
    public const string Component = "daily-results";

    public static SqlMigrationRunner CreateMigrationRunner(Action<string>? log = null) =>
        new(Component, typeof(DailyResultsDatabase).Assembly, "Migrations.", log);

    /// <summary>Applies pending migrations as the owner; returns the names applied now.</summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(string ownerConnectionString, CancellationToken ct = default) =>
        CreateMigrationRunner().MigrateAsync(ownerConnectionString, ct);
}
