extern alias IdentityMappingService;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Hosting.LocalServers;
using HrmsAttendance.PunchLedger.Database;
using HrmsAttendance.Tests.Shared;
using Npgsql;
using IdentityMappingDatabase = IdentityMappingService::HrmsAttendance.IdentityMapping.Database.IdentityMappingDatabase;
using PunchLedgerClient = HrmsAttendance.Contracts.Ledger.V1.PunchLedger.PunchLedgerClient;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// The punch-ledger service (its real Program) on real Kestrel with free loopback ports, over a private Postgres
/// with the migrations applied (identity mapping's too: the ledger records punches only for its active persons).
/// </summary>
public sealed class PunchLedgerServiceFixture : IAsyncLifetime
{
    private TestPostgresServer? server;

    /// <summary>The tokens the service accepts (its <c>Authentication:Jwt</c> settings), one key per test run.</summary>
    public static TestAccessTokens AccessTokens { get; } = new();

    public KestrelServiceFactory<Program> Service { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public PunchLedgerClient Client { get; private set; } = null!;
    /// <summary>The schema owner, for assertions (still subject to RLS: set a tenant).</summary>
    public NpgsqlDataSource Owner { get; private set; } = null!;
    /// <summary>identity-mapping's role (identity_mapping_app): registers the persons punches are for.</summary>
    public NpgsqlDataSource Identity { get; private set; } = null!;
    /// <summary>The service's own role (punch_ledger_app), for checks of what it may do.</summary>
    public string AppConnectionString { get; private set; } = null!;

    /// <summary>A new active person of <paramref name="tenant"/>, made through identity-mapping's door.</summary>
    public Task<Guid> NewPersonAsync(Guid tenant) => TestPersons.CreateAsync(Identity, tenant);

    /// <summary><paramref name="count"/> new active persons of <paramref name="tenant"/>.</summary>
    public Task<Guid[]> NewPersonsAsync(Guid tenant, int count) => TestPersons.CreateAsync(Identity, tenant, count);

    public Task DeactivateAsync(Guid tenant, Guid person) => TestPersons.DeactivateAsync(Identity, tenant, person);

    public async Task InitializeAsync()
    {
        server = await TestPostgresServer.StartTemporaryAsync();
        var database = await server.EnsureDatabaseAsync("attendance", PunchLedgerDatabase.OwnerRole,
            [PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole, IdentityMappingDatabase.AppRole]);
        await IdentityMappingDatabase.MigrateAsync(database.OwnerConnectionString);
        await PunchLedgerDatabase.MigrateAsync(database.OwnerConnectionString);
        Owner = NpgsqlDataSource.Create(database.OwnerConnectionString);
        Identity = NpgsqlDataSource.Create(database.ConnectionStringFor(IdentityMappingDatabase.AppRole));
        AppConnectionString = database.ConnectionStringFor(PunchLedgerDatabase.AppRole);

        Service = new KestrelServiceFactory<Program>(new Dictionary<string, string?>(AccessTokens.Configuration)
        {
            ["ConnectionStrings:attendance"] = database.ConnectionStringFor(PunchLedgerDatabase.AppRole),
            // No broker here (the distributed tests run a real one): the service must take punches without it, and
            // its outbox relay keeps the messages until a broker answers.
            ["ConnectionStrings:messaging"] = $"amqp://test:test@127.0.0.1:{LoopbackPorts.Free()}",
        }).Start();
        Channel = GrpcChannel.ForAddress(Service.GrpcEndpoint);
        Client = new PunchLedgerClient(Channel);
    }

    /// <summary>Call options with a token of <paramref name="tenant"/> (role tenant-admin, subject test-user).</summary>
    public static CallOptions For(Guid tenant, DateTime? deadline = null)
    {
        var headers = new Metadata { { "authorization", "Bearer " + AccessTokens.Issue(tenant) } };
        return new CallOptions(headers, deadline ?? DateTime.UtcNow.AddSeconds(30));
    }

    /// <summary>Reads one daily result as the owner, inside the tenant, or null.</summary>
    public async Task<Dictionary<string, object?>?> ReadDailyResultAsync(Guid tenant, Guid person, DateOnly workDate)
    {
        await using var connection = await Owner.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, tx))
        {
            set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
            await set.ExecuteNonQueryAsync();
        }
        await using var query = new NpgsqlCommand("""
            SELECT status, flags, worked_minutes, late_minutes, early_leave_minutes, input_punch_count, first_in_time, last_out_time
            FROM staffing.daily_attendance_results WHERE tenant_id = $1 AND person_uuid = $2 AND work_date = $3
            """, connection, tx);
        query.Parameters.Add(new NpgsqlParameter { Value = tenant });
        query.Parameters.Add(new NpgsqlParameter { Value = person });
        query.Parameters.Add(new NpgsqlParameter { Value = workDate });
        await using var reader = await query.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        var row = new Dictionary<string, object?>();
        for (var i = 0; i < reader.FieldCount; i++)
            row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return row;
    }

    public async Task<long> CountEventsAsync(Guid tenant)
    {
        await using var connection = await Owner.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("""
            SELECT set_config('app.current_tenant', $1, true);
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
        await command.ExecuteNonQueryAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM staffing.time_punch_events", connection, tx);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Everything the doors write, for the tenant: events, daily results, outbox messages.</summary>
    public async Task<(long Events, long Results, long Outbox)> CountWritesAsync(Guid tenant)
    {
        await using var connection = await Owner.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, tx))
        {
            set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
            await set.ExecuteNonQueryAsync();
        }
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM staffing.time_punch_events), (SELECT count(*) FROM staffing.daily_attendance_results),
                   (SELECT count(*) FROM staffing.outbox_messages)
            """, connection, tx);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (Service is not null) await Service.DisposeAsync();
        if (Owner is not null) await Owner.DisposeAsync();
        if (Identity is not null) await Identity.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PunchLedgerServiceCollection : ICollectionFixture<PunchLedgerServiceFixture>
{
    public const string Name = "punch-ledger service";
}
