using HrmsAttendance.Testing;
using HrmsAttendance.IdentityMapping.Database;
using Npgsql;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>
/// The database half of the security story, checked on the catalog and by trying: the service role's exact
/// grants (nothing outside `person`), fail-closed RLS, SECURITY DEFINER doors, and link history kept
/// even against the owner.
/// </summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class DatabaseSecurityTests(IdentityMappingServiceFixture fixture)
{
    private const string InsufficientPrivilege = "42501";

    private async Task<List<string>> StringsAsync(NpgsqlDataSource source, string sql, params object[] parameters)
    {
        await using var command = source.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    /// <summary>Runs <paramref name="sql"/> as identity_mapping_app in a transaction scoped to a fresh tenant.</summary>
    private async Task ExecuteAsAppAsync(string sql, Guid? tenant = null)
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        if (tenant is not null)
        {
            await using var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, tx);
            set.Parameters.Add(new NpgsqlParameter { Value = tenant.Value.ToString() });
            await set.ExecuteNonQueryAsync();
        }
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { }
    }

    [Fact]
    public async Task The_service_role_has_exactly_the_doors_the_outbox_relay_functions_and_three_selects_and_nothing_in_other_schemas()
    {
        var grants = await RolePrivileges.OfAsync(fixture.Superuser, IdentityMappingDatabase.AppRole);

        Assert.Equal(
            [
                "person function claim_outbox_messages",
                "person function create_person",
                "person function link_identity",
                "person function mark_outbox_published",
                "person function outbox_backlog",
                "person function prune_published_outbox",
                "person function resolve_identities",
                "person function unlink_identity",
                "person function update_person",
                "person table external_identity_links SELECT",
                "person table persons SELECT",
                "person table unmapped_identities SELECT",
                "schema person USAGE",
            ], grants);
    }

    [Theory]
    [InlineData("SELECT count(*) FROM staffing.time_punch_events")]
    [InlineData("SELECT count(*) FROM staffing.daily_attendance_results")]
    [InlineData("SELECT * FROM staffing.submit_time_punch_event(gen_random_uuid(), gen_random_uuid(), now(), 'IN', 'MANUAL', NULL, 'r-1', '{}', NULL)")]
    [InlineData("CREATE TABLE staffing.intruder (id int)")]
    [InlineData("SELECT count(*) FROM public.schema_migrations")]
    [InlineData("CREATE TABLE public.intruder (id int)")]
    public async Task The_service_role_cannot_touch_the_staffing_schema_or_public(string sql)
    {
        var e = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsAppAsync(sql, Guid.NewGuid()));
        Assert.Equal(InsufficientPrivilege, e.SqlState);
    }

    [Theory]
    [InlineData("INSERT INTO person.persons (tenant_id, employee_number, display_name) VALUES (current_setting('app.current_tenant')::uuid, 'X', 'X')")]
    [InlineData("UPDATE person.persons SET active = false")]
    [InlineData("DELETE FROM person.persons")]
    [InlineData("INSERT INTO person.external_identity_links (tenant_id, provider, external_user_id, person_uuid) VALUES (current_setting('app.current_tenant')::uuid, 'WECOM', 'x', gen_random_uuid())")]
    [InlineData("UPDATE person.external_identity_links SET person_uuid = gen_random_uuid()")]
    [InlineData("DELETE FROM person.external_identity_links")]
    [InlineData("TRUNCATE person.external_identity_links")]
    [InlineData("DELETE FROM person.unmapped_identities")]
    [InlineData("SELECT person.current_tenant()")]
    [InlineData("INSERT INTO person.outbox (tenant_id, message_type, payload) VALUES (current_setting('app.current_tenant')::uuid, 'ExternalIdentityLinked', '{}')")]
    [InlineData("SELECT person.announce_identity_link_change()")]
    public async Task The_service_role_writes_only_through_the_doors(string sql)
    {
        var e = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsAppAsync(sql, Guid.NewGuid()));
        Assert.Equal(InsufficientPrivilege, e.SqlState);
    }

    [Theory]
    [InlineData("SELECT * FROM person.persons")]
    [InlineData("SELECT * FROM person.external_identity_links")]
    [InlineData("SELECT * FROM person.unmapped_identities")]
    public async Task Reads_without_a_tenant_fail_closed(string sql)
    {
        var e = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsAppAsync(sql));
        // 42704: unrecognized configuration parameter; 22P02: '' (a pooled session that once set it) is not a uuid.
        Assert.Contains(e.SqlState, new[] { "42704", "22P02" });
    }

    [Theory]
    [InlineData("SELECT * FROM person.create_person('X-1', 'X')")]
    [InlineData("SELECT * FROM person.resolve_identities('DINGTALK', ARRAY['x'], true)")]
    public async Task Doors_without_a_tenant_fail_with_tenant_missing(string sql)
    {
        var e = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsAppAsync(sql));
        Assert.Equal("IDENTITY_TENANT_MISSING", e.MessageText);
    }

    [Fact]
    public async Task Rls_is_enabled_and_forced_on_every_person_table()
    {
        var tables = await StringsAsync(fixture.Superuser,
            """
            SELECT c.relname || ' ' || (c.relrowsecurity AND c.relforcerowsecurity)::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'person'
            WHERE c.relkind = 'r' ORDER BY 1
            """);
        Assert.Equal(["external_identity_links true", "outbox true", "persons true", "unmapped_identities true"], tables);
    }

    [Fact]
    public async Task The_doors_are_security_definer_with_a_pinned_search_path()
    {
        var doors = await StringsAsync(fixture.Superuser,
            """
            SELECT f.proname || ' ' || f.prosecdef::text || ' ' || pg_get_userbyid(f.proowner) || ' ' || coalesce(array_to_string(f.proconfig, ';'), '')
            FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace AND n.nspname = 'person'
            WHERE has_function_privilege($1, f.oid, 'EXECUTE') ORDER BY 1
            """, IdentityMappingDatabase.AppRole);
        Assert.Equal(9, doors.Count); // the five doors and the outbox relay's four functions
        Assert.All(doors, d => Assert.EndsWith(" true attendance_owner search_path=pg_catalog, pg_temp", d));
    }

    [Theory]
    [InlineData("DELETE FROM person.external_identity_links")]
    [InlineData("TRUNCATE person.external_identity_links")]
    [InlineData("UPDATE person.external_identity_links SET person_uuid = gen_random_uuid()")]
    [InlineData("UPDATE person.external_identity_links SET unlinked_at = now()")]
    public async Task Link_history_is_kept_even_against_the_owner(string sql)
    {
        var tenant = Guid.NewGuid();
        var person = await fixture.Client.CreatePersonAsync(tenant, "H-1");
        await fixture.Client.LinkAsync(tenant, "h-user", person);
        await fixture.Client.UnlinkAsync(tenant, "h-user"); // an ended link: not even unlinked_at may change again

        var e = await Assert.ThrowsAsync<PostgresException>(() => fixture.QueryAsOwnerAsync(tenant, sql));

        Assert.Equal("IDENTITY_LINK_HISTORY_IMMUTABLE", e.MessageText);
    }
}
