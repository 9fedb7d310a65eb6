using HrmsAttendance.Testing;
using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>Fail-closed tenancy (RLS), the service role's grants, and the ledger's immutability.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SecurityTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 2, 2);

    private const string InsufficientPrivilege = "42501";

    /// <summary>Runs <paramref name="sql"/> as the service role in a transaction without a tenant.</summary>
    private async Task WithoutTenantAsync(string sql, bool fresh, params object?[] parameters)
    {
        // A fresh session has never heard of app.current_tenant; a pooled one that once set it
        // transaction-locally still knows the name, with the value ''. Both must fail closed.
        var builder = new NpgsqlConnectionStringBuilder(fixture.AppConnectionString) { Pooling = !fresh };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        if (!fresh)
        {
            await using var tx0 = await connection.BeginTransactionAsync();
            await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, tx0))
            {
                set.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid().ToString() });
                await set.ExecuteNonQueryAsync();
            }
            await tx0.CommitAsync();
        }
        await using var tx = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_without_a_tenant_fail_closed(bool fresh)
    {
        var tenant = PostgresFixture.NewTenant();
        await fixture.SubmitCommittedAsync(tenant, new Punch(await fixture.NewPersonAsync(tenant), At(D, 9), "IN"));

        foreach (var table in new[] { "staffing.time_punch_events", "staffing.daily_attendance_results" })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => WithoutTenantAsync($"SELECT * FROM {table}", fresh));
            // 42704: unrecognized configuration parameter; 22P02: '' is not a uuid.
            Assert.Contains(e.SqlState, new[] { "42704", "22P02" });
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Doors_without_a_tenant_fail_with_tenant_missing(bool fresh)
    {
        var tenant = PostgresFixture.NewTenant();
        var e = await Assert.ThrowsAsync<PostgresException>(() => WithoutTenantAsync(
            "SELECT * FROM staffing.submit_time_punch_event($1, $2, $3, 'IN', 'MANUAL', NULL, 'r-1', '{}', NULL)", fresh,
            tenant, Guid.NewGuid(), At(D, 9).UtcDateTime));
        Assert.Equal("STAFFING_TENANT_MISSING", e.MessageText);

        e = await Assert.ThrowsAsync<PostgresException>(() => WithoutTenantAsync(
            "SELECT * FROM staffing.submit_time_punch_events($1, ARRAY[$2]::uuid[], ARRAY[$3]::timestamptz[], '{IN}', '{MANUAL}', '{NULL}', '{r-1}', '{\"{}\"}', NULL)", fresh,
            tenant, Guid.NewGuid(), At(D, 9).UtcDateTime));
        Assert.Equal("STAFFING_TENANT_MISSING", e.MessageText);
    }

    [Fact]
    public async Task A_door_refuses_a_tenant_other_than_the_current_one()
    {
        var a = PostgresFixture.NewTenant();
        var b = PostgresFixture.NewTenant();
        await using var tx = await fixture.BeginAppAsync(b);
        await AssertKernelErrorAsync("STAFFING_TENANT_MISMATCH",
            () => tx.SubmitAsync(new Punch(Guid.NewGuid(), At(D, 9), "IN"), tenant: a));
    }

    [Fact]
    public async Task A_malformed_current_tenant_is_refused()
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', 'not-a-uuid', true)", connection, tx))
            await set.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(
            "SELECT * FROM staffing.submit_time_punch_event($1, $2, now(), 'IN', 'MANUAL', NULL, 'r-1', '{}', NULL)", connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal("STAFFING_TENANT_INVALID", e.MessageText);
    }

    [Fact]
    public async Task A_tenant_sees_nothing_of_another_tenant()
    {
        var a = PostgresFixture.NewTenant();
        var b = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(a);
        var personOfB = await fixture.NewPersonAsync(b);
        await fixture.SubmitCommittedAsync(a, new Punch(person, At(D, 9), "IN"));
        await fixture.SubmitCommittedAsync(a, new Punch(person, At(D, 18), "OUT"));

        await using (var tx = await fixture.BeginAppAsync(b))
        {
            // Even asking for tenant A's rows by id returns nothing.
            Assert.Equal(0L, await tx.ScalarAsync<long>("SELECT count(*) FROM staffing.time_punch_events WHERE tenant_id = $1", a));
            Assert.Equal(0L, await tx.ScalarAsync<long>("SELECT count(*) FROM staffing.time_punch_events"));
            Assert.Equal(0L, await tx.ScalarAsync<long>("SELECT count(*) FROM staffing.daily_attendance_results WHERE person_uuid = $1", person));
            Assert.Equal(0L, await tx.ScalarAsync<long>("SELECT count(*) FROM staffing.daily_attendance_results"));
        }
        await using (var tx = await fixture.BeginAppAsync(a))
        {
            Assert.Equal(2L, await tx.CountAsync("staffing.time_punch_events"));
            Assert.Equal(2L, await tx.CountAsync("staffing.daily_attendance_results"));
        }

        // The same request_id in another tenant is another event: idempotency keys are per tenant.
        await using (var tx = await fixture.BeginAppAsync(b))
        {
            var first = await tx.SubmitAsync(new Punch(personOfB, At(D, 9), "IN", RequestId: "shared-id"));
            Assert.False(first.Duplicate);
            await tx.CommitAsync();
        }
        await using (var tx = await fixture.BeginAppAsync(a))
        {
            Assert.False((await tx.SubmitAsync(new Punch(person, At(D, 10), "IN", RequestId: "shared-id"))).Duplicate);
        }
    }

    public static TheoryData<string> AppWrites => new()
    {
        "INSERT INTO staffing.time_punch_events (tenant_id, person_uuid, punch_time, punch_type, source_provider, request_id) VALUES ($1, $1, now(), 'IN', 'MANUAL', 'x')",
        "UPDATE staffing.time_punch_events SET punch_type = 'OUT' WHERE tenant_id = $1",
        "DELETE FROM staffing.time_punch_events WHERE tenant_id = $1",
        "TRUNCATE staffing.time_punch_events",
        "INSERT INTO staffing.daily_attendance_results (tenant_id, person_uuid, work_date, ruleset_version, status) VALUES ($1, $1, '2026-01-01', 'X', 'PRESENT')",
        "UPDATE staffing.daily_attendance_results SET status = 'PRESENT' WHERE tenant_id = $1",
        "DELETE FROM staffing.daily_attendance_results WHERE tenant_id = $1",
        "TRUNCATE staffing.daily_attendance_results",
        "SELECT * FROM staffing.outbox WHERE tenant_id = $1",
        "INSERT INTO staffing.outbox (tenant_id, event_ids) VALUES ($1, '{1}')",
        "SELECT * FROM staffing.outbox_messages WHERE tenant_id = $1",
        "SELECT staffing.project_daily_attendance_results($1, ARRAY[$1]::uuid[], ARRAY['2026-01-01']::date[], NULL, NULL)",
        "SELECT staffing.rebuild_daily_attendance_results($1, '2026-01-01', '2026-01-02')",
        "SELECT * FROM staffing.store_time_punch_event($1, $1, now(), 'IN', 'MANUAL', NULL, 'x', '{}', NULL)",
        "SELECT staffing.assert_current_tenant($1)",
        "SELECT * FROM staffing.existing_time_punch_event($1, $1, now(), 'IN', 'MANUAL', NULL, 'x', '{}')",
        "SELECT staffing.lock_attendance_person($1, $1)",
        "SELECT staffing.time_ordered_uuid()",
        // 0005's doors, internal since 0008 (they do not ask whether the person exists), and 0008's helpers.
        "SELECT * FROM staffing.submit_time_punch_event_any_person($1, $1, now(), 'IN', 'MANUAL', NULL, 'x', '{}', NULL)",
        "SELECT * FROM staffing.submit_time_punch_events_any_person($1, ARRAY[$1]::uuid[], ARRAY[now()], '{IN}', '{MANUAL}', '{NULL}', '{x}', '{\"{}\"}', NULL)",
        "SELECT staffing.person_state($1, $1)",
        "SELECT staffing.punch_key_recorded($1, 'MANUAL', NULL, 'x')",
        // identity-mapping's persons: the doors read them as the owner; the service role cannot list them.
        "SELECT * FROM person.person_states",
        "SELECT * FROM person.persons",
        // The import's staged rows are written by staffing.stage_import_block only (0030).
        "INSERT INTO staffing.import_rows (import_id, tenant_id, line) VALUES ($1, $1, 1)",
        "UPDATE staffing.import_rows SET line = 0 WHERE tenant_id = $1",
    };

    [Theory]
    [MemberData(nameof(AppWrites))]
    public async Task The_service_role_can_only_read_and_call_the_doors(string sql)
    {
        var tenant = PostgresFixture.NewTenant();
        await fixture.SubmitCommittedAsync(tenant, new Punch(await fixture.NewPersonAsync(tenant), At(D, 9), "IN"));
        await using var tx = await fixture.BeginAppAsync(tenant);
        object?[] parameters = sql.Contains("$1") ? [tenant] : [];
        var e = await AssertSqlStateAsync(InsufficientPrivilege, () => tx.ExecuteAsync(sql, parameters));
        Assert.Contains("permission denied", e.MessageText);
    }

    [Fact]
    public async Task The_grants_are_exactly_the_doors_the_outbox_relay_functions_two_selects_and_the_import_tables()
    {
        var grants = await RolePrivileges.OfAsync(fixture.Superuser, "punch_ledger_app");
        Assert.Equal(
            [
                // The audit log (0019): its reader and the retention purge; entries are written by triggers only.
                "audit function purge_expired",
                "audit table entries SELECT",
                "schema audit USAGE",
                "schema staffing USAGE",
                "staffing function announce_import_committed",
                "staffing function claim_import_work",
                "staffing function claim_outbox_messages",
                "staffing function discard_import_file",
                // The import commit's split of the rows by person into parts (0023).
                "staffing function import_commit_part",
                // The parse's whole-file checks after the blocks were staged (0028).
                "staffing function mark_import_repeats",
                "staffing function mark_outbox_published",
                "staffing function outbox_backlog",
                "staffing function prune_published_outbox",
                // Issue 16: an import's unmapped DingTalk ids into identity-mapping's unmapped queue (0013).
                "staffing function record_import_unmapped",
                // A block of parsed rows staged as the import's rows (0028; from arrays since 0030).
                "staffing function stage_import_block",
                "staffing function submit_time_punch_event",
                "staffing function submit_time_punch_events",
                // Adjustment requests and approvers (0020): written by the service, guarded by the tables' triggers.
                "staffing table adjustment_requests INSERT",
                "staffing table adjustment_requests SELECT",
                "staffing table adjustment_requests UPDATE",
                "staffing table approver_assignments DELETE",
                "staffing table approver_assignments INSERT",
                "staffing table approver_assignments SELECT",
                "staffing table daily_attendance_results SELECT",
                // The import's working state (0011_imports.sql); events and results are still written by the doors only.
                "staffing table import_audit INSERT",
                "staffing table import_audit SELECT",
                "staffing table import_batches INSERT",
                "staffing table import_batches SELECT",
                "staffing table import_batches UPDATE",
                // The commit's parts, each with its cursor (0023).
                "staffing table import_commit_parts INSERT",
                "staffing table import_commit_parts SELECT",
                "staffing table import_commit_parts UPDATE",
                "staffing table import_file_chunks INSERT",
                "staffing table import_file_chunks SELECT",
                // Each committed row's answer from the door, written once (0024); the staged rows are not updated.
                "staffing table import_row_outcomes INSERT",
                "staffing table import_row_outcomes SELECT",
                "staffing table import_rows DELETE",
                "staffing table import_rows SELECT",
                "staffing table time_punch_events SELECT",
            ], grants);
    }

    [Fact]
    public async Task No_kernel_function_is_executable_by_public()
    {
        await using var connection = await fixture.Superuser.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT f.proname
            FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace AND n.nspname = 'staffing'
            WHERE f.proacl IS NULL                                   -- the default: PUBLIC may execute
               OR EXISTS (SELECT FROM aclexplode(f.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
            ORDER BY 1
            """, connection);
        var open = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) open.Add(reader.GetString(0));
        Assert.Empty(open);
    }

    [Fact]
    public async Task The_doors_are_security_definer_with_a_pinned_search_path()
    {
        await using var connection = await fixture.Superuser.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT f.proname, f.prosecdef, pg_get_userbyid(f.proowner), coalesce(array_to_string(f.proconfig, ';'), '')
            FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace AND n.nspname = 'staffing'
            WHERE f.proname LIKE 'submit_time_punch_event%' ORDER BY 1
            """, connection);
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add($"{reader.GetString(0)} {reader.GetBoolean(1)} {reader.GetString(2)} {reader.GetString(3)}");
        Assert.Equal(
            [
                "submit_time_punch_event True attendance_owner search_path=pg_catalog, staffing;plan_cache_mode=force_generic_plan",
                // 0005's doors, called only by 0008's (whose settings hold for them): internal, like the other helpers.
                "submit_time_punch_event_any_person False attendance_owner ",
                "submit_time_punch_events True attendance_owner search_path=pg_catalog, staffing;plan_cache_mode=force_generic_plan",
                "submit_time_punch_events_any_person False attendance_owner ",
            ], rows.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("UPDATE staffing.time_punch_events SET punch_type = 'OUT' WHERE tenant_id = $1")]
    [InlineData("DELETE FROM staffing.time_punch_events WHERE tenant_id = $1")]
    [InlineData("TRUNCATE staffing.time_punch_events")]
    public async Task Events_are_immutable_even_for_the_owner(string sql)
    {
        var tenant = PostgresFixture.NewTenant();
        await fixture.SubmitCommittedAsync(tenant, new Punch(await fixture.NewPersonAsync(tenant), At(D, 9), "IN"));
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        object?[] parameters = sql.Contains("$1") ? [tenant] : [];
        await AssertKernelErrorAsync("STAFFING_EVENT_IMMUTABLE", () => tx.ExecuteAsync(sql, parameters));
    }

    [Fact]
    public async Task Rls_is_enabled_and_forced_on_every_staffing_table()
    {
        await using var connection = await fixture.Superuser.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'staffing'
            WHERE c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
            """, connection);
        var unprotected = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) unprotected.Add(reader.GetString(0));
        // (0022–0029 had one exception, the parse's COPY target import_rows_inbox; 0030 dropped it.)
        Assert.Empty(unprotected);
    }
}
