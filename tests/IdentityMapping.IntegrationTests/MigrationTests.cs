extern alias PunchLedgerService;
using HrmsAttendance.IdentityMapping.Database;
using PunchLedgerService::HrmsAttendance.PunchLedger.Database;
using Npgsql;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>The migrations as the AppHost runs them: through the service's migrate command, again, and beside the ledger's.</summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class MigrationTests(IdentityMappingServiceFixture fixture)
{
    private static async Task<List<string>> AppliedAsync(string connectionString, string component)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT name FROM public.schema_migrations WHERE component = $1 ORDER BY name", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = component });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }

    [Fact]
    public async Task The_migrate_command_applied_everything_and_a_second_run_applies_nothing()
    {
        Assert.Contains("0006_grants.sql", fixture.AppliedMigrations);
        Assert.Empty(await IdentityMappingDatabase.MigrateAsync(fixture.Database.OwnerConnectionString));
        Assert.Equal(IdentityMappingDatabase.CreateMigrationRunner().Migrations.Select(m => m.Name),
            await AppliedAsync(fixture.Server.SuperuserConnectionString(IdentityMappingServiceFixture.DatabaseName), IdentityMappingDatabase.Component));
    }

    [Fact]
    public async Task Identity_mapping_and_the_ledger_can_migrate_one_new_database_at_the_same_time()
    {
        // The AppHost runs each project's migrations as the project starts, in parallel.
        var name = "attendance_" + Guid.NewGuid().ToString("N")[..8];
        var database = await fixture.Server.EnsureDatabaseAsync(name, IdentityMappingDatabase.OwnerRole,
            [IdentityMappingDatabase.AppRole, PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole]);

        await Task.WhenAll(
            Task.Run(() => IdentityMappingDatabase.MigrateAsync(database.OwnerConnectionString)),
            Task.Run(() => PunchLedgerDatabase.MigrateAsync(database.OwnerConnectionString)));

        var superuser = fixture.Server.SuperuserConnectionString(name);
        Assert.Equal(IdentityMappingDatabase.CreateMigrationRunner().Migrations.Count, (await AppliedAsync(superuser, IdentityMappingDatabase.Component)).Count);
        Assert.Equal(PunchLedgerDatabase.CreateMigrationRunner().Migrations.Count, (await AppliedAsync(superuser, PunchLedgerDatabase.Component)).Count);
    }
}
