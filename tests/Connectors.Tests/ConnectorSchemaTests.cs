extern alias PunchLedgerService;
extern alias IdentityMappingService;

using HrmsAttendance.Connectors.Database;
using HrmsAttendance.Connectors.Parking;
using HrmsAttendance.Connectors.Pipeline;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tests.Shared;
using Npgsql;
using IdentityMappingDatabase = IdentityMappingService::HrmsAttendance.IdentityMapping.Database.IdentityMappingDatabase;
using PunchLedgerDatabase = PunchLedgerService::HrmsAttendance.PunchLedger.Database.PunchLedgerDatabase;

namespace HrmsAttendance.Connectors.Tests;

public sealed class ConnectorDatabaseFixture : IAsyncLifetime
{
    public TestPostgresServer Server { get; private set; } = null!;
    public TestDatabase Database { get; private set; } = null!;
    public NpgsqlDataSource DingTalk { get; private set; } = null!;
    public NpgsqlDataSource WeCom { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestPostgresServer.StartTemporaryAsync();
        Database = await Server.EnsureDatabaseAsync("connectors", PunchLedgerDatabase.OwnerRole,
            [ConnectorProvider.DingTalk.AppRole, ConnectorProvider.WeCom.AppRole,
             PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole, IdentityMappingDatabase.AppRole]);
        // The migrations resource's order: the connectors' triggers write to punch-ledger's audit log.
        await IdentityMappingDatabase.MigrateAsync(Database.OwnerConnectionString);
        await PunchLedgerDatabase.MigrateAsync(Database.OwnerConnectionString);
        foreach (var provider in ConnectorProvider.All)
            await ConnectorDatabase.MigrateAsync(provider, Database.OwnerConnectionString);
        DingTalk = NpgsqlDataSource.Create(Database.ConnectionStringFor(ConnectorProvider.DingTalk.AppRole));
        WeCom = NpgsqlDataSource.Create(Database.ConnectionStringFor(ConnectorProvider.WeCom.AppRole));
    }

    public async Task DisposeAsync()
    {
        await DingTalk.DisposeAsync();
        await WeCom.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>A connector's schema on a real Postgres, as its own login sees it.</summary>
public sealed class ConnectorSchemaTests(ConnectorDatabaseFixture db) : IClassFixture<ConnectorDatabaseFixture>
{
    private static ExternalPunch Punch(string user, string id) =>
        new(user, id, new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero), PunchType.Raw, """{"record":{"userId":"x"}}""");

    [Fact]
    public async Task Parking_is_idempotent_by_source_event_id_and_settling_keeps_the_history()
    {
        var store = new ParkedPunchStore(db.DingTalk, ConnectorProvider.DingTalk);
        var tenant = Guid.NewGuid();
        Assert.Equal(["p-1", "p-2"], (await store.ParkAsync(tenant, [Punch("u", "p-1"), Punch("u", "p-2")], default)).Order());
        Assert.Empty(await store.ParkAsync(tenant, [Punch("u", "p-1")], default));
        Assert.Equal(2, (await store.WaitingAsync(tenant, "u", 10, default)).Count);

        var waiting = await store.WaitingAsync(tenant, "u", 10, default);
        await store.SettleAsync(tenant, [new Settlement(waiting[0].Punch, Guid.NewGuid(), Guid.NewGuid(), null, null),
                                         new Settlement(waiting[1].Punch, Guid.NewGuid(), null, "STAFFING_PERSON_INACTIVE", "inactive")], default);
        Assert.Empty(await store.WaitingAsync(tenant, "u", 10, default));
        var counts = await store.CountsAsync(tenant, default);
        Assert.Equal((0, 1, 1), (counts["PARKED"], counts["REPLAYED"], counts["REJECTED"]));
        // A settled punch parked again (a late redelivery) stays settled.
        Assert.Empty(await store.ParkAsync(tenant, [Punch("u", "p-1")], default));
    }

    [Fact]
    public async Task Tenants_see_only_their_own_rows_and_without_a_tenant_nothing_is_read()
    {
        var store = new ParkedPunchStore(db.DingTalk, ConnectorProvider.DingTalk);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await store.ParkAsync(a, [Punch("same-user", "t-1")], default);
        Assert.Empty(await store.WaitingAsync(b, "same-user", 10, default));
        Assert.Single(await store.WaitingAsync(a, "same-user", 10, default));

        await using var command = db.DingTalk.CreateCommand("SELECT count(*) FROM dingtalk.parked_punches");
        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
        // Unset (42704) or left empty by an earlier transaction on this pooled connection (22P02, '' is no uuid): an error, not rows.
        Assert.Contains(e.SqlState, new[] { "42704", "22P02" });
    }

    [Fact]
    public async Task Each_connector_login_reaches_its_own_schema_only_and_cannot_delete_parked_punches()
    {
        await using (var other = db.WeCom.CreateCommand("SELECT 1 FROM dingtalk.parked_punches LIMIT 1"))
            Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => other.ExecuteScalarAsync())).SqlState);
        await using var connection = await db.DingTalk.OpenConnectionAsync();
        await using var delete = new NpgsqlCommand(
            $"SELECT set_config('app.current_tenant', '{Guid.NewGuid()}', false); DELETE FROM dingtalk.parked_punches", connection);
        Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync())).SqlState);
    }

    [Fact]
    public async Task The_enabled_tenants_directory_lists_ids_across_tenants_and_nothing_else_does()
    {
        var (on, off) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var (tenant, enabled) in new[] { (on, true), (off, false) })
        {
            await using var connection = await db.DingTalk.OpenConnectionAsync();
            await using var put = new NpgsqlCommand(
                $"SELECT set_config('app.current_tenant', '{tenant}', false); " +
                $"INSERT INTO dingtalk.integration_settings (tenant_id, client_id, client_secret_ciphertext, enabled, updated_by) VALUES ('{tenant}', 'app', '\\x00', {enabled}, 'test')",
                connection);
            await put.ExecuteNonQueryAsync();
        }
        await using var list = db.DingTalk.CreateCommand("SELECT * FROM dingtalk.enabled_tenants()");
        var tenants = new List<Guid>();
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tenants.Add(reader.GetGuid(0));
        Assert.Contains(on, tenants);
        Assert.DoesNotContain(off, tenants);

        // The directory's policy is the owner's: the login setting the same flag reads nothing across tenants.
        await using var sneak = db.DingTalk.CreateCommand(
            "SELECT set_config('app.connector_directory', 'on', false), set_config('app.current_tenant', '00000000-0000-0000-0000-000000000000', false); SELECT count(*) FROM dingtalk.integration_settings");
        await using var sneakReader = await sneak.ExecuteReaderAsync();
        await sneakReader.NextResultAsync();
        await sneakReader.ReadAsync();
        Assert.Equal(0L, sneakReader.GetInt64(0));
    }

    [Theory]
    [InlineData("dingtalk")]
    [InlineData("wecom")]
    public async Task Each_change_of_a_tenants_integration_settings_is_in_its_audit_log_without_the_secret(string schema)
    {
        var provider = ConnectorProvider.All.Single(p => p.Schema == schema);
        var store = new IntegrationSettingsStore(schema == "dingtalk" ? db.DingTalk : db.WeCom, provider);
        var tenant = Guid.NewGuid();
        byte[] first = [0xAB, 0xCD, 0xEF, 0x01], second = [0x02, 0x03, 0x04, 0x05];
        await store.PutAsync(tenant, "app-one", first, enabled: true, "user:admin-1", CancellationToken.None);
        await store.PutAsync(tenant, "app-one", first, enabled: false, "user:admin-2", CancellationToken.None);
        await store.PutAsync(tenant, "app-two", second, enabled: true, "user:admin-1", CancellationToken.None);

        // The owner reads the tenant's entries under its policy (the audit log's reader is punch-ledger's login).
        await using var owner = new NpgsqlConnection(db.Database.OwnerConnectionString);
        await owner.OpenAsync();
        await using (var tenantOf = new NpgsqlCommand($"SELECT set_config('app.current_tenant', '{tenant}', false)", owner))
            await tenantOf.ExecuteNonQueryAsync();
        await using var read = new NpgsqlCommand(
            "SELECT actor, service, action, object_type, object_id, details::text FROM audit.entries WHERE tenant_id = $1 ORDER BY id", owner);
        read.Parameters.AddWithValue(tenant);
        await using var reader = await read.ExecuteReaderAsync();
        var entries = new List<(string Actor, string Service, string Action, string Type, string Object, string Details)>();
        while (await reader.ReadAsync())
            entries.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));

        Assert.Equal(["user:admin-1", "user:admin-2", "user:admin-1"], entries.Select(e => e.Actor));
        Assert.All(entries, e => Assert.Equal(provider.ServiceName, e.Service));
        Assert.All(entries, e => Assert.Equal("integration_settings", e.Type));
        Assert.Equal(["integration_settings.created", "integration_settings.updated", "integration_settings.updated"], entries.Select(e => e.Action));
        Assert.Equal(["app-one", "app-one", "app-two"], entries.Select(e => e.Object));
        Assert.Contains("\"secret_changed\": false", entries[1].Details);
        Assert.Contains("\"enabled\": false", entries[1].Details);
        Assert.Contains("\"secret_changed\": true", entries[2].Details);
        Assert.Contains("\"previous_client_id\": \"app-one\"", entries[2].Details);
        // Neither ciphertext, in any spelling Postgres might give bytea, reaches the log.
        Assert.All(entries, e => Assert.DoesNotContain("abcdef01", e.Details, StringComparison.OrdinalIgnoreCase));
        Assert.All(entries, e => Assert.DoesNotContain("ciphertext", e.Details, StringComparison.OrdinalIgnoreCase));
    }
}
