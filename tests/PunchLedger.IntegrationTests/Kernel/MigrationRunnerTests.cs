using HrmsAttendance.Database;
using HrmsAttendance.PunchLedger.Database;
using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// SqlMigrationRunner against real Postgres: order, history, checksums, concurrent runners. Each test uses
/// its own database (owned by its own role) on the fixture's server, so histories never mix.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MigrationRunnerTests(PostgresFixture fixture)
{
    private static readonly SqlMigration[] Three =
    [
        new("0001_first.sql", "CREATE TABLE public.steps (n int, at timestamptz DEFAULT clock_timestamp());"),
        new("0002_second.sql", "INSERT INTO public.steps (n) VALUES (2);"),
        new("0003_third.sql",
            """
            -- a body with semicolons and dollar quotes, as real migrations have
            CREATE FUNCTION public.step_count() RETURNS bigint LANGUAGE plpgsql AS $$
            BEGIN
              RETURN (SELECT count(*) FROM public.steps);
            END;
            $$;
            INSERT INTO public.steps (n) VALUES (3);
            """),
    ];

    private async Task<string> NewDatabaseAsync()
    {
        var name = "mig_" + Guid.NewGuid().ToString("N")[..12];
        var database = await fixture.Server.EnsureDatabaseAsync(name, "migration_test_owner", []);
        return database.OwnerConnectionString;
    }

    private static async Task<List<(string Name, string Checksum)>> HistoryAsync(string connectionString, string component)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT name, checksum FROM public.schema_migrations WHERE component = $1 ORDER BY applied_at, name", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = component });
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }

    [Fact]
    public async Task Applies_in_file_name_order_and_records_each_file()
    {
        var cs = await NewDatabaseAsync();
        // Given out of order: the runner sorts by name.
        var runner = new SqlMigrationRunner("test", [Three[2], Three[0], Three[1]]);

        var applied = await runner.MigrateAsync(cs);

        Assert.Equal(["0001_first.sql", "0002_second.sql", "0003_third.sql"], applied);
        Assert.Equal(Three.Select(m => (m.Name, m.Checksum)), await HistoryAsync(cs, "test"));
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(n::text, ',' ORDER BY at) || '/' || public.step_count() FROM public.steps", connection);
        Assert.Equal("2,3/2", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_second_run_applies_nothing_and_a_new_file_is_applied_alone()
    {
        var cs = await NewDatabaseAsync();
        Assert.Equal(3, (await new SqlMigrationRunner("test", Three).MigrateAsync(cs)).Count);
        Assert.Empty(await new SqlMigrationRunner("test", Three).MigrateAsync(cs));

        var fourth = new SqlMigration("0004_fourth.sql", "INSERT INTO public.steps (n) VALUES (4);");
        Assert.Equal(["0004_fourth.sql"], await new SqlMigrationRunner("test", [.. Three, fourth]).MigrateAsync(cs));
    }

    [Fact]
    public async Task A_changed_applied_file_is_refused_by_name()
    {
        var cs = await NewDatabaseAsync();
        await new SqlMigrationRunner("test", Three).MigrateAsync(cs);
        SqlMigration[] edited = [Three[0], Three[1] with { Sql = "INSERT INTO public.steps (n) VALUES (22);" }, Three[2]];

        var e = await Assert.ThrowsAsync<MigrationChecksumMismatchException>(() => new SqlMigrationRunner("test", edited).MigrateAsync(cs));

        Assert.Equal("0002_second.sql", e.MigrationName);
        Assert.Equal("test", e.Component);
        Assert.Contains("0002_second.sql", e.Message);
        Assert.Equal(Three[1].Checksum, e.RecordedChecksum);
        Assert.Equal(edited[1].Checksum, e.CurrentChecksum);
        // Line endings alone are not a change.
        Assert.Empty(await new SqlMigrationRunner("test", Three.Select(m => m with { Sql = m.Sql.Replace("\n", "\r\n") })).MigrateAsync(cs));
    }

    [Fact]
    public async Task A_failing_file_rolls_back_alone_and_names_itself()
    {
        var cs = await NewDatabaseAsync();
        SqlMigration[] migrations = [Three[0], new("0002_broken.sql", "INSERT INTO public.steps (n) VALUES (2); SELECT 1/0;")];

        var e = await Assert.ThrowsAsync<MigrationFailedException>(() => new SqlMigrationRunner("test", migrations).MigrateAsync(cs));

        Assert.Equal("0002_broken.sql", e.MigrationName);
        Assert.Equal([("0001_first.sql", Three[0].Checksum)], await HistoryAsync(cs, "test"));
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM public.steps", connection);
        Assert.Equal(0L, await command.ExecuteScalarAsync()); // the broken file's INSERT rolled back with it
    }

    [Fact]
    public async Task Concurrent_runners_apply_each_file_once()
    {
        var cs = await NewDatabaseAsync();
        // Slow files, so the runners really overlap.
        SqlMigration[] slow =
        [
            new("0001_a.sql", "CREATE TABLE public.applied (name text); SELECT pg_sleep(0.2); INSERT INTO public.applied VALUES ('a');"),
            new("0002_b.sql", "SELECT pg_sleep(0.2); INSERT INTO public.applied VALUES ('b');"),
        ];
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new SqlMigrationRunner("test", slow).MigrateAsync(cs))));

        Assert.Equal(["0001_a.sql", "0002_b.sql"], results.SelectMany(r => r).Order());
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(name, ',' ORDER BY name) FROM public.applied", connection);
        Assert.Equal("a,b", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Components_keep_separate_histories()
    {
        var cs = await NewDatabaseAsync();
        await new SqlMigrationRunner("one", [Three[0]]).MigrateAsync(cs);
        var other = new SqlMigration("0001_first.sql", "CREATE TABLE public.other (x int);");
        Assert.Equal(["0001_first.sql"], await new SqlMigrationRunner("two", [other]).MigrateAsync(cs));
    }

    [Fact]
    public void Names_must_be_numbered_and_numbers_unique()
    {
        Assert.Throws<InvalidOperationException>(() => new SqlMigrationRunner("test", [new SqlMigration("first.sql", "")]));
        Assert.Throws<InvalidOperationException>(() => new SqlMigrationRunner("test",
            [new SqlMigration("0001_a.sql", ""), new SqlMigration("0001_b.sql", "")]));
    }

    [Fact]
    public async Task The_punch_ledger_migrations_are_embedded_in_order_and_applied_once()
    {
        var runner = PunchLedgerDatabase.CreateMigrationRunner();
        Assert.Equal(
            [
                "0001_staffing_schema.sql", "0002_time_punch_events.sql", "0003_daily_attendance_results.sql",
                "0004_outbox.sql", "0005_kernel.sql", "0006_grants.sql", "0007_daily_results_reader.sql",
                "0008_known_persons_only.sql", "0009_outbox_relay.sql", "0010_batch_door_in_order.sql",
                "0011_imports.sql", "0012_import_commit_cursor.sql", "0013_import_dingtalk_exports.sql",
                "0014_import_rows_resolved_as_staged.sql", "0015_import_committed_message.sql", "0016_outbox_claim_by_messages.sql",
                "0017_import_file_discarded_after_parse.sql", "0018_import_dingtalk_staging.sql", "0019_audit_log.sql", "0020_adjustments.sql",
                "0021_batch_door_cheaper_per_row.sql",
                "0022_import_staging_by_copy.sql",
                "0023_import_commit_in_parts.sql",
                "0024_import_row_outcomes.sql",
                "0025_import_duplicates_by_hashing.sql",
                "0026_plain_inserts_where_no_key_exists.sql",
                "0027_import_commit_counts_per_part.sql",
                "0028_import_staging_as_copied.sql",
                "0029_import_commit_start_and_announcement.sql",
                "0030_import_blocks_staged_from_arrays.sql",
                "0031_import_export_repeats_by_minute.sql",
                "0032_import_outcomes_only_where_not_accepted.sql",
                "0033_import_counts_from_staging.sql",
                "0034_import_marks_in_one_pass.sql",
                "0035_import_blocks_without_empty_columns.sql",
            ],
            runner.Migrations.Select(m => m.Name));
        Assert.Equal(runner.Migrations.Select(m => m.Name), fixture.AppliedMigrations);
        Assert.Empty(await PunchLedgerDatabase.MigrateAsync(fixture.OwnerConnectionString));
        Assert.Equal(runner.Migrations.Select(m => (m.Name, m.Checksum)),
            (await HistoryAsync(fixture.OwnerConnectionString, PunchLedgerDatabase.Component)).OrderBy(r => r.Name));
    }
}
