using HrmsAttendance.Database;

namespace HrmsAttendance.Identity.Database;

/// <summary>
/// The identity service's Postgres schema (<c>identity</c>, in the shared <c>attendance</c> database): tenants, users
/// under RLS, the users' change history, and OpenIddict's tables; the SQL files in <c>Database/Migrations</c> embedded
/// as <c>Migrations.NNNN_name.sql</c>.
/// </summary>
public static class IdentityDatabase
{
    /// <summary>The service's login role (NOSUPERUSER NOBYPASSRLS).</summary>
    public const string AppRole = "identity_app";

    /// <summary>The schema, also OpenIddict's (its Entity Framework Core model's default schema).</summary>
    public const string Schema = "identity";

    /// <summary>The component name in <c>public.schema_migrations</c>.</summary>
    public const string Component = "identity";

    public static SqlMigrationRunner CreateMigrationRunner(Action<string>? log = null) =>
        new(Component, typeof(IdentityDatabase).Assembly, "Migrations.", log);

    /// <summary>Applies pending migrations as the owner; returns the names applied now.</summary>
    public static Task<IReadOnlyList<string>> MigrateAsync(string ownerConnectionString, CancellationToken ct = default) =>
        CreateMigrationRunner().MigrateAsync(ownerConnectionString, ct);
}
