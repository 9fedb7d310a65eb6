extern alias PunchLedgerService;
extern alias IdentityMappingService;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.DailyResults.Database;
using HrmsAttendance.Hosting.LocalServers;
using HrmsAttendance.Tests.Shared;
using Npgsql;
using PunchLedgerService::HrmsAttendance.PunchLedger.Database;
using IdentityMappingDatabase = IdentityMappingService::HrmsAttendance.IdentityMapping.Database.IdentityMappingDatabase;
using DailyResultsClient = HrmsAttendance.Contracts.Results.V1.DailyResults.DailyResultsClient;

namespace HrmsAttendance.DailyResults.IntegrationTests;

/// <summary>
/// The daily-results service (its real Program) on real Kestrel with free loopback ports, as daily_results_app, over a private Postgres with
/// the ledger's and its own migrations applied (identity mapping's first: the ledger's doors read its persons). Punches
/// are written through the ledger's door as punch_ledger_app, for persons registered through identity mapping's door.
/// </summary>
public sealed class DailyResultsServiceFixture : IAsyncLifetime
{
    private TestPostgresServer? server;

    /// <summary>The tokens the service accepts (its <c>Authentication:Jwt</c> settings), one key per test run.</summary>
    public static TestAccessTokens AccessTokens { get; } = new();

    public KestrelServiceFactory<Program> Service { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public DailyResultsClient Client { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public TestDatabase Database { get; private set; } = null!;
    /// <summary>The ledger's role: the doors.</summary>
    public NpgsqlDataSource Ledger { get; private set; } = null!;
    /// <summary>The service's own role, daily_results_app.</summary>
    public NpgsqlDataSource Reader { get; private set; } = null!;
    /// <summary>The schema owner, for assertions (still subject to RLS: set a tenant).</summary>
    public NpgsqlDataSource Owner { get; private set; } = null!;
    public NpgsqlDataSource Superuser { get; private set; } = null!;
    /// <summary>identity-mapping's role: registers the persons punches are for.</summary>
    public NpgsqlDataSource Identity { get; private set; } = null!;

    /// <summary>A new active person of <paramref name="tenant"/>, made through identity-mapping's door.</summary>
    public Task<Guid> NewPersonAsync(Guid tenant) => TestPersons.CreateAsync(Identity, tenant);

    public async Task InitializeAsync()
    {
        server = await TestPostgresServer.StartTemporaryAsync();
        Database = await server.EnsureDatabaseAsync("attendance", PunchLedgerDatabase.OwnerRole,
            [PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole, IdentityMappingDatabase.AppRole]);
        await IdentityMappingDatabase.MigrateAsync(Database.OwnerConnectionString);
        await PunchLedgerDatabase.MigrateAsync(Database.OwnerConnectionString);
        await DailyResultsDatabase.MigrateAsync(Database.OwnerConnectionString);
        Identity = NpgsqlDataSource.Create(Database.ConnectionStringFor(IdentityMappingDatabase.AppRole));
        Owner = NpgsqlDataSource.Create(Database.OwnerConnectionString);
        Ledger = NpgsqlDataSource.Create(Database.ConnectionStringFor(PunchLedgerDatabase.AppRole));
        Reader = NpgsqlDataSource.Create(Database.ConnectionStringFor(PunchLedgerDatabase.ReaderRole));
        Superuser = NpgsqlDataSource.Create(server.SuperuserConnectionString("attendance"));

        Service = new KestrelServiceFactory<Program>(new Dictionary<string, string?>(AccessTokens.Configuration)
        {
            ["ConnectionStrings:attendance"] = Database.ConnectionStringFor(PunchLedgerDatabase.ReaderRole),
            // No broker here (the distributed tests run one): the change feed is filled through its store function.
            ["ConnectionStrings:messaging"] = $"amqp://test:test@127.0.0.1:{LoopbackPorts.Free()}",
        }).Start();
        Channel = GrpcChannel.ForAddress(Service.GrpcEndpoint);
        Client = new DailyResultsClient(Channel);
        Http = new HttpClient { BaseAddress = Service.HttpEndpoint };
    }

    /// <summary>Call options with a token of <paramref name="tenant"/> (role tenant-admin).</summary>
    public static CallOptions For(Guid tenant) =>
        TestAccessTokens.Bearer(AccessTokens.Issue(tenant));

    /// <summary>A GET of <c>/api/…</c> with a token of <paramref name="tenant"/>.</summary>
    public static HttpRequestMessage Get(string pathAndQuery, Guid tenant) =>
        TestAccessTokens.Get(pathAndQuery, AccessTokens.Issue(tenant));

    /// <summary>One punch through the ledger's door, as punch_ledger_app inside the tenant.</summary>
    public async Task PunchAsync(Guid tenant, Guid person, DateTimeOffset time, string type)
    {
        await using var connection = await Ledger.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await SetTenantAsync(connection, tx, tenant);
        await using var command = new NpgsqlCommand(
            "SELECT event_uuid FROM staffing.submit_time_punch_event($1, $2, $3, $4, 'MANUAL', NULL, $5, '{}'::jsonb, 'test')",
            connection, tx);
        foreach (var value in new object[] { tenant, person, time.UtcDateTime, type, Guid.NewGuid().ToString() })
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteScalarAsync();
        await tx.CommitAsync();
    }

    /// <summary>The person's rows as the owner inside the tenant, newest first, one dictionary per row (column → value).</summary>
    public async Task<List<Dictionary<string, object?>>> ReadResultsAsync(Guid tenant, Guid person)
    {
        await using var connection = await Owner.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await SetTenantAsync(connection, tx, tenant);
        await using var query = new NpgsqlCommand("""
            SELECT work_date, status, flags, first_in_time, last_out_time, worked_minutes, late_minutes, early_leave_minutes,
                   ruleset_version, computed_at, input_punch_count, input_max_punch_event_db_id, input_max_punch_time
            FROM staffing.daily_attendance_results WHERE person_uuid = $1 ORDER BY work_date DESC
            """, connection, tx);
        query.Parameters.Add(new NpgsqlParameter { Value = person });
        await using var reader = await query.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < reader.FieldCount; i++)
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public static async Task SetTenantAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid tenant)
    {
        await using var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, tx);
        set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
        await set.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        Channel?.Dispose();
        if (Service is not null) await Service.DisposeAsync();
        foreach (var source in new[] { Owner, Ledger, Reader, Superuser, Identity })
            if (source is not null) await source.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DailyResultsServiceCollection : ICollectionFixture<DailyResultsServiceFixture>
{
    public const string Name = "daily-results service";
}
