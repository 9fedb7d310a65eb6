extern alias IdentityMappingService;
using HrmsAttendance.Tests.Shared;
using HrmsAttendance.PunchLedger.Database;
using Npgsql;
using IdentityMappingDatabase = IdentityMappingService::HrmsAttendance.IdentityMapping.Database.IdentityMappingDatabase;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;

/// <summary>
/// A private Postgres (the AppHost's own local-server resource, see <see cref="TestPostgresServer"/>) with the punch-ledger database:
/// roles <see cref="PunchLedgerDatabase.OwnerRole"/> and <see cref="PunchLedgerDatabase.AppRole"/>, all
/// migrations applied (identity mapping's first, as the migrations resource does: the doors read its persons). Shared by every test class in <see cref="PostgresCollection"/>.
/// Tests isolate themselves with a fresh tenant (<see cref="NewTenant"/>) instead of truncating, so they
/// are independent of each other and of the order they run in.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string DatabaseName = "attendance";

    private TestPostgresServer? _server;
    private TestDatabase? _database;

    public TestPostgresServer Server => _server ?? throw NotStarted();
    public TestDatabase Database => _database ?? throw NotStarted();

    /// <summary>The migrations applied when the fixture started (all of them: the database is new).</summary>
    public IReadOnlyList<string> AppliedMigrations { get; private set; } = [];

    /// <summary>The schema owner (attendance_owner): NOSUPERUSER NOBYPASSRLS, so RLS applies; set a tenant.</summary>
    public string OwnerConnectionString => Database.OwnerConnectionString;

    /// <summary>The service's role (punch_ledger_app): the doors and SELECT on events and results only.</summary>
    public string AppConnectionString => Database.ConnectionStringFor(PunchLedgerDatabase.AppRole);

    /// <summary>The bootstrap superuser, connected to the punch-ledger database. Bypasses RLS.</summary>
    public string SuperuserConnectionString => Server.SuperuserConnectionString(DatabaseName);

    /// <summary>Data sources for the three roles (with Include Error Detail on).</summary>
    public NpgsqlDataSource Owner { get; private set; } = null!;
    public NpgsqlDataSource App { get; private set; } = null!;
    public NpgsqlDataSource Superuser { get; private set; } = null!;
    /// <summary>identity-mapping's role (identity_mapping_app): registers the persons punches are for.</summary>
    public NpgsqlDataSource Identity { get; private set; } = null!;

    public static Guid NewTenant() => Guid.NewGuid();

    /// <summary>A new active person of <paramref name="tenant"/>, made through identity-mapping's door.</summary>
    public Task<Guid> NewPersonAsync(Guid tenant) => TestPersons.CreateAsync(Identity, tenant);

    /// <summary><paramref name="count"/> new active persons of <paramref name="tenant"/>.</summary>
    public Task<Guid[]> NewPersonsAsync(Guid tenant, int count) => TestPersons.CreateAsync(Identity, tenant, count);

    /// <summary>Sets a person's active flag through identity-mapping's door.</summary>
    public Task SetPersonActiveAsync(Guid tenant, Guid person, bool active) => TestPersons.SetActiveAsync(Identity, tenant, person, active);

    public async Task InitializeAsync()
    {
        _server = await TestPostgresServer.StartTemporaryAsync();
        _database = await _server.EnsureDatabaseAsync(DatabaseName, PunchLedgerDatabase.OwnerRole,
            [PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole, IdentityMappingDatabase.AppRole]);
        await IdentityMappingDatabase.MigrateAsync(_database.OwnerConnectionString);
        AppliedMigrations = await PunchLedgerDatabase.MigrateAsync(_database.OwnerConnectionString);
        Owner = NpgsqlDataSource.Create(WithErrorDetail(OwnerConnectionString));
        App = NpgsqlDataSource.Create(WithErrorDetail(AppConnectionString));
        Identity = NpgsqlDataSource.Create(WithErrorDetail(_database.ConnectionStringFor(IdentityMappingDatabase.AppRole)));
        Superuser = NpgsqlDataSource.Create(WithErrorDetail(SuperuserConnectionString));
    }

    public async Task DisposeAsync()
    {
        if (Owner is not null) await Owner.DisposeAsync();
        if (App is not null) await App.DisposeAsync();
        if (Superuser is not null) await Superuser.DisposeAsync();
        if (Identity is not null) await Identity.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>Opens a connection from <paramref name="source"/> and starts a transaction scoped to <paramref name="tenant"/>.</summary>
    public static Task<TenantTransaction> BeginAsync(NpgsqlDataSource source, Guid tenant, CancellationToken ct = default) =>
        TenantTransaction.BeginAsync(source, tenant, ct);

    /// <summary>As the service role, in <paramref name="tenant"/>.</summary>
    public Task<TenantTransaction> BeginAppAsync(Guid tenant, CancellationToken ct = default) => BeginAsync(App, tenant, ct);

    /// <summary>As the schema owner, in <paramref name="tenant"/>.</summary>
    public Task<TenantTransaction> BeginOwnerAsync(Guid tenant, CancellationToken ct = default) => BeginAsync(Owner, tenant, ct);

    /// <summary>
    /// Empties the kernel's tables as the superuser (the ledger's append-only trigger is bypassed with
    /// session_replication_role = replica). Prefer fresh tenants; this is for tests that need an empty table.
    /// </summary>
    public async Task TruncateKernelTablesAsync(CancellationToken ct = default)
    {
        await using var connection = await Superuser.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            SET session_replication_role = replica;
            TRUNCATE staffing.time_punch_events, staffing.daily_attendance_results, staffing.outbox;
            RESET session_replication_role;
            """, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Npgsql redacts an error's DETAIL unless asked; the kernel's details name what was wrong.</summary>
    public static string WithErrorDetail(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { IncludeErrorDetail = true }.ConnectionString;

    private static InvalidOperationException NotStarted() => new("The Postgres fixture has not started.");
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
