extern alias PunchLedgerService;
using HrmsAttendance.IdentityMapping.Database;
using PunchLedgerService::HrmsAttendance.PunchLedger.Database;
using HrmsAttendance.Database;
using Npgsql;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>The migrations as the AppHost runs them: through the service's migrate command, again, and before the ledger's.</summary>
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
    public async Task The_ledger_migrates_after_identity_mapping_and_says_so_when_run_first()
    {
        // The ledger's doors read person.person_states (punch-ledger 0008 needs identity-mapping 0007), so the migrations
        // resource applies identity mapping's migrations first. Run the other way round, the ledger stops before 0008
        // with a message that names the order, and finishes once identity mapping has migrated.
        var name = "attendance_" + Guid.NewGuid().ToString("N")[..8];
        var database = await fixture.Server.EnsureDatabaseAsync(name, IdentityMappingDatabase.OwnerRole,
            [IdentityMappingDatabase.AppRole, PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole]);
        var superuser = fixture.Server.SuperuserConnectionString(name);

        var e = await Assert.ThrowsAsync<MigrationFailedException>(() => PunchLedgerDatabase.MigrateAsync(database.OwnerConnectionString));
        Assert.Contains("0008_known_persons_only.sql", e.Message);
        Assert.Contains("apply identity-mapping's migrations (0007) first", e.InnerException!.Message);
        Assert.Equal("0007_daily_results_reader.sql", (await AppliedAsync(superuser, PunchLedgerDatabase.Component)).Last());

        await IdentityMappingDatabase.MigrateAsync(database.OwnerConnectionString);
        // The ledger goes on from 0008 to its last migration.
        var rest = await PunchLedgerDatabase.MigrateAsync(database.OwnerConnectionString);
        Assert.Equal("0008_known_persons_only.sql", rest[0]);
        Assert.Equal(PunchLedgerDatabase.CreateMigrationRunner().Migrations.Select(m => m.Name).SkipWhile(n => n != rest[0]), rest);
        Assert.Equal(IdentityMappingDatabase.CreateMigrationRunner().Migrations.Count, (await AppliedAsync(superuser, IdentityMappingDatabase.Component)).Count);
        Assert.Equal(PunchLedgerDatabase.CreateMigrationRunner().Migrations.Count, (await AppliedAsync(superuser, PunchLedgerDatabase.Component)).Count);
    }
}
