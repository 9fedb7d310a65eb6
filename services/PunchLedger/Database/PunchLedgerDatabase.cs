using HrmsAttendance.Database;

namespace HrmsAttendance.PunchLedger.Database;

/// <summary>
/// The punch ledger's Postgres schema (<c>staffing</c>): its roles and its migrations, the SQL files in
/// <c>Database/Migrations</c> embedded as <c>Migrations.NNNN_name.sql</c>.
/// </summary>
public static class PunchLedgerDatabase
{
    /// <summary>Owns the database and the schema, runs migrations; NOSUPERUSER NOBYPASSRLS.</summary>
    public const string OwnerRole = "attendance_owner";

    /// <summary>The service's login role: EXECUTE on the two doors, SELECT on events and results, nothing else.</summary>
    public const string AppRole = "punch_ledger_app";

    /// <summary>The daily-results service's login role: SELECT on <c>staffing.daily_attendance_results</c>, nothing else.</summary>
    public const string ReaderRole = "daily_results_app";

    /// <summary>The component name in <c>public.schema_migrations</c>.</summary>
    public const string Component = "punch-ledger";

    public static SqlMigrationRunner CreateMigrationRunner(Action<string>? log = null) =>
        new(Component, typeof(PunchLedgerDatabase).Assembly, "Migrations.", log);

    /// <summary>Applies pending migrations as the owner; returns the names applied now.</summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(string ownerConnectionString, CancellationToken ct = default) =>
        CreateMigrationRunner().MigrateAsync(ownerConnectionString, ct);
}
