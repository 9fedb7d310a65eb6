using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.GrpcWire;
using HrmsAttendance.Hosting.Postgres;
using HrmsAttendance.Hosting.Services;
using HrmsAttendance.PunchLedger.Database;
using Npgsql;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// The real punch-ledger process on free loopback ports, over a private Postgres with the
/// migrations applied, started by the same launcher code the AppHost uses.
/// </summary>
public sealed class PunchLedgerServiceFixture : IAsyncLifetime
{
    private PostgresServer? server;
    private readonly List<string> serviceOutput = [];

    public ServiceProcess Service { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public PunchLedgerClient Client { get; private set; } = null!;
    /// <summary>The schema owner, for assertions (still subject to RLS: set a tenant).</summary>
    public NpgsqlDataSource Owner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        server = await PostgresServer.StartTemporaryAsync();
        var database = await server.EnsureDatabaseAsync("attendance", PunchLedgerDatabase.OwnerRole, [PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole]);
        await PunchLedgerDatabase.MigrateAsync(database.OwnerConnectionString);
        Owner = NpgsqlDataSource.Create(database.OwnerConnectionString);

        Service = await ServiceProcess.StartAsync(new ServiceProcessOptions
        {
            Name = "punch-ledger",
            AssemblyPath = RepositoryLayout.ServiceAssembly("services/PunchLedger", "PunchLedger"),
            Environment = new Dictionary<string, string?>
            {
                ["ConnectionStrings__attendance"] = database.ConnectionStringFor(PunchLedgerDatabase.AppRole),
            },
            Output = line => { lock (serviceOutput) serviceOutput.Add(line); },
        });
        Channel = GrpcChannel.ForAddress(Service.GrpcEndpoint!);
        Client = new PunchLedgerClient(Channel);
    }

    public IReadOnlyList<string> ServiceOutput { get { lock (serviceOutput) return [.. serviceOutput]; } }

    public static CallOptions For(Guid tenant, DateTime? deadline = null)
    {
        var headers = new Metadata { { "x-tenant-id", tenant.ToString() }, { "x-principal-id", "test-user" } };
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

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (Service is not null) await Service.DisposeAsync();
        if (Owner is not null) await Owner.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PunchLedgerServiceCollection : ICollectionFixture<PunchLedgerServiceFixture>
{
    public const string Name = "punch-ledger service";
}
