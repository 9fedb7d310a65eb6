using HrmsAttendance.Database;

namespace HrmsAttendance.IdentityMapping.Database;

/// <summary>
/// The identity-mapping Postgres schema (<c>person</c>, in the shared <c>attendance</c> database): its roles
/// and its migrations, the SQL files in <c>Database/Migrations</c> embedded as <c>Migrations.NNNN_name.sql</c>.
/// </summary>
public static class IdentityMappingDatabase
{
    /// <summary>Owns the database and the schema, runs migrations; NOSUPERUSER NOBYPASSRLS.</summary>
    public const string OwnerRole = "attendance_owner";

    /// <summary>The service's login role: EXECUTE on the five doors, SELECT on the three tables, nothing else.</summary>
    public const string AppRole = "identity_mapping_app";

    /// <summary>The component name in <c>public.schema_migrations</c>.</summary>
    public const string Component = "identity-mapping";

    public static SqlMigrationRunner CreateMigrationRunner(Action<string>? log = null) =>
        new(Component, typeof(IdentityMappingDatabase).Assembly, "Migrations.", log);

    /// <summary>Applies pending migrations as the owner; returns the names applied now.</summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(string ownerConnectionString, CancellationToken ct = default) =>
        CreateMigrationRunner().MigrateAsync(ownerConnectionString, ct);
}
