extern alias PunchLedgerService;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Hosting.LocalServers;
using HrmsAttendance.IdentityMapping.Database;
using HrmsAttendance.Tests.Shared;
using Npgsql;
using PunchLedgerService::HrmsAttendance.PunchLedger.Database;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>
/// The identity-mapping service (its real Program) on real Kestrel with free loopback ports, over a private
/// Postgres holding the shared <c>attendance</c> database with both schemas (person, and the punch ledger's
/// staffing, which our role must not reach). Identity mapping is migrated first, with the service's own
/// <c>migrate</c> command run as a process, as the AppHost does.
/// Tests isolate themselves with fresh tenants instead of truncating.
/// </summary>
public sealed class IdentityMappingServiceFixture : IAsyncLifetime
{
    public const string DatabaseName = "attendance";

    private TestPostgresServer? server;

    /// <summary>The private server, for tests that need a database of their own.</summary>
    public TestPostgresServer Server => server ?? throw new InvalidOperationException("The fixture has not started.");
    public TestDatabase Database { get; private set; } = null!;
    /// <summary>The tokens the service accepts (its <c>Authentication:Jwt</c> settings), one key per test run.</summary>
    public static TestAccessTokens AccessTokens { get; } = new();
    public KestrelServiceFactory<Program> Service { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public IdentityMappingClient Client { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The identity-mapping migrations applied when the fixture started (all of them: the database is new).</summary>
    public IReadOnlyList<string> AppliedMigrations { get; private set; } = [];

    /// <summary>The schema owner, for assertions (still subject to RLS: set a tenant).</summary>
    public NpgsqlDataSource Owner { get; private set; } = null!;
    /// <summary>The service's own role, identity_mapping_app.</summary>
    public NpgsqlDataSource App { get; private set; } = null!;
    /// <summary>The bootstrap superuser in the attendance database; bypasses RLS (catalog queries only).</summary>
    public NpgsqlDataSource Superuser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        server = await TestPostgresServer.StartTemporaryAsync();
        Database = await server.EnsureDatabaseAsync(DatabaseName, IdentityMappingDatabase.OwnerRole,
            [IdentityMappingDatabase.AppRole, PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole]);

        AppliedMigrations = await IdentityMappingDatabase.MigrateAsync(Database.OwnerConnectionString);
        await PunchLedgerDatabase.MigrateAsync(Database.OwnerConnectionString);

        Owner = NpgsqlDataSource.Create(WithErrorDetail(Database.OwnerConnectionString));
        App = NpgsqlDataSource.Create(WithErrorDetail(Database.ConnectionStringFor(IdentityMappingDatabase.AppRole)));
        Superuser = NpgsqlDataSource.Create(WithErrorDetail(server.SuperuserConnectionString(DatabaseName)));

        Service = new KestrelServiceFactory<Program>(new Dictionary<string, string?>(AccessTokens.Configuration)
        {
            ["ConnectionStrings:attendance"] = Database.ConnectionStringFor(IdentityMappingDatabase.AppRole),
            // No broker here (the distributed tests run a real one): links must be taken without it. The service's
            // outbox relay makes one (empty) pass at start and then sleeps, so it never holds rows the outbox tests
            // claim themselves (OutboxTests plays the relay through the same functions).
            ["ConnectionStrings:messaging"] = $"amqp://test:test@127.0.0.1:{LoopbackPorts.Free()}",
            ["Outbox:IdleDelay"] = "1.00:00:00",
        }).Start();
        Channel = GrpcChannel.ForAddress(Service.GrpcEndpoint);
        Client = new IdentityMappingClient(Channel);
        Http = new HttpClient { BaseAddress = Service.HttpEndpoint };
    }

    /// <summary>Call options with a token of <paramref name="tenant"/> whose subject is <paramref name="principal"/>.</summary>
    public static CallOptions For(Guid tenant, string principal = "admin-1") =>
        TestAccessTokens.Bearer(AccessTokens.Issue(tenant, subject: principal));

    /// <summary>Runs <paramref name="sql"/> as the owner inside <paramref name="tenant"/>; every row as name → value.</summary>
    public async Task<List<Dictionary<string, object?>>> QueryAsOwnerAsync(Guid tenant, string sql, params object?[] parameters)
    {
        await using var connection = await Owner.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, tx))
        {
            set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
            await set.ExecuteNonQueryAsync();
        }
        await using var query = new NpgsqlCommand(sql, connection, tx);
        foreach (var p in parameters) query.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < reader.FieldCount; i++)
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public async Task<long> CountAsOwnerAsync(Guid tenant, string table) =>
        (long)(await QueryAsOwnerAsync(tenant, $"SELECT count(*) AS n FROM {table}"))[0]["n"]!;

    public static string WithErrorDetail(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { IncludeErrorDetail = true }.ConnectionString;

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        Channel?.Dispose();
        if (Service is not null) await Service.DisposeAsync();
        if (Owner is not null) await Owner.DisposeAsync();
        if (App is not null) await App.DisposeAsync();
        if (Superuser is not null) await Superuser.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class IdentityMappingServiceCollection : ICollectionFixture<IdentityMappingServiceFixture>
{
    public const string Name = "identity-mapping service";
}
