using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>The migrated schema, read back from the catalog.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SchemaTests(PostgresFixture fixture)
{
    private async Task<List<string>> LinesAsync(string sql)
    {
        await using var connection = await fixture.Superuser.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return lines;
    }

    [Fact]
    public async Task Daily_results_are_exactly_seed_004_section_4_1()
    {
        Assert.Equal(
            [
                "tenant_id uuid NOT NULL",
                "person_uuid uuid NOT NULL",
                "work_date date NOT NULL",
                "ruleset_version text NOT NULL",
                "status text NOT NULL",
                "flags text[] NOT NULL DEFAULT '{}'::text[]",
                "first_in_time timestamp with time zone NULL",
                "last_out_time timestamp with time zone NULL",
                "worked_minutes integer NOT NULL DEFAULT 0",
                "late_minutes integer NOT NULL DEFAULT 0",
                "early_leave_minutes integer NOT NULL DEFAULT 0",
                "input_punch_count integer NOT NULL DEFAULT 0",
                "input_max_punch_event_db_id bigint NULL",
                "input_max_punch_time timestamp with time zone NULL",
                "computed_at timestamp with time zone NOT NULL DEFAULT now()",
                "created_at timestamp with time zone NOT NULL DEFAULT now()",
                "updated_at timestamp with time zone NOT NULL DEFAULT now()",
            ],
            await LinesAsync(
                """
                SELECT attname || ' ' || format_type(atttypid, atttypmod) || ' '
                       || CASE WHEN attnotnull THEN 'NOT NULL' ELSE 'NULL' END
                       || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
                FROM pg_attribute a
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE attrelid = 'staffing.daily_attendance_results'::regclass AND attnum > 0 AND NOT attisdropped
                ORDER BY attnum
                """));

        Assert.Equal(
            [
                "daily_attendance_results_flags_allowlist_check: CHECK ((flags <@ ARRAY['ABSENT'::text, 'MISSING_IN'::text, 'MISSING_OUT'::text, 'LATE'::text, 'EARLY_LEAVE'::text]))",
                "daily_attendance_results_minutes_nonneg_check: CHECK (((worked_minutes >= 0) AND (late_minutes >= 0) AND (early_leave_minutes >= 0)))",
                "daily_attendance_results_pkey: PRIMARY KEY (tenant_id, person_uuid, work_date)",
                "daily_attendance_results_status_check: CHECK ((status = ANY (ARRAY['PRESENT'::text, 'ABSENT'::text, 'EXCEPTION'::text])))",
            ],
            await LinesAsync(
                "SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'staffing.daily_attendance_results'::regclass ORDER BY conname COLLATE \"C\""));

        Assert.Equal(
            [
                "CREATE INDEX daily_attendance_results_lookup_idx ON staffing.daily_attendance_results USING btree (tenant_id, person_uuid, work_date DESC)",
                "CREATE UNIQUE INDEX daily_attendance_results_pkey ON staffing.daily_attendance_results USING btree (tenant_id, person_uuid, work_date)",
            ],
            await LinesAsync(
                "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'staffing.daily_attendance_results'::regclass ORDER BY pg_get_indexdef(indexrelid) COLLATE \"C\""));
    }

    [Theory]
    [InlineData("time_punch_events")]
    [InlineData("daily_attendance_results")]
    [InlineData("outbox")]
    [InlineData("import_batches")]
    [InlineData("import_file_chunks")]
    [InlineData("import_rows")]
    [InlineData("import_audit")]
    public async Task Every_tenant_table_has_the_tenant_isolation_policy(string table)
    {
        Assert.Equal(
            ["tenant_isolation * (tenant_id = (current_setting('app.current_tenant'::text))::uuid) / (tenant_id = (current_setting('app.current_tenant'::text))::uuid)"],
            await LinesAsync(
                $"""
                SELECT polname || ' ' || polcmd::text || ' ' || pg_get_expr(polqual, polrelid) || ' / ' || pg_get_expr(polwithcheck, polrelid)
                FROM pg_policy WHERE polrelid = 'staffing.{table}'::regclass AND polname = 'tenant_isolation'
                """));
    }

    [Fact]
    public async Task The_only_other_policies_let_the_owner_relay_the_outbox_and_claim_import_work_and_never_apply_to_inserts()
    {
        Assert.Equal(
            [
                "import_batches import_worker_claim r attendance_owner",
                "import_batches import_worker_lease w attendance_owner",
                "outbox outbox_relay_mark w attendance_owner",
                "outbox outbox_relay_prune d attendance_owner",
                "outbox outbox_relay_read r attendance_owner",
            ],
            await LinesAsync(
                """
                SELECT c.relname || ' ' || p.polname || ' ' || p.polcmd::text || ' ' ||
                       (SELECT string_agg(r.rolname, ',') FROM pg_roles r WHERE r.oid = ANY (p.polroles))
                FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'staffing'
                WHERE p.polname <> 'tenant_isolation'
                ORDER BY 1
                """));
    }

    [Fact]
    public async Task Each_ledger_query_shape_has_exactly_one_index_that_can_serve_it()
    {
        // Indexes leading with tenant_id are partial on a column only their own queries constrain; a
        // non-partial one could be picked by a generic plan made while the table had no statistics, turning
        // each day's recompute (or each retry's lookup) into a scan of the tenant's whole ledger.
        Assert.Empty(await LinesAsync(
            """
            SELECT pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = 'staffing.time_punch_events'::regclass AND a.attname = 'tenant_id' AND i.indpred IS NULL
            """));
        Assert.Equal(
            [
                "CREATE INDEX time_punch_events_person_time_idx ON staffing.time_punch_events USING btree (tenant_id, person_uuid, punch_time, id) WHERE (person_uuid IS NOT NULL)",
                "CREATE UNIQUE INDEX time_punch_events_event_uuid_key ON staffing.time_punch_events USING btree (event_uuid)",
                "CREATE UNIQUE INDEX time_punch_events_pkey ON staffing.time_punch_events USING btree (id)",
                "CREATE UNIQUE INDEX time_punch_events_request_id_key ON staffing.time_punch_events USING btree (tenant_id, request_id) WHERE (request_id IS NOT NULL)",
                "CREATE UNIQUE INDEX time_punch_events_source_event_key ON staffing.time_punch_events USING btree (tenant_id, source_provider, source_event_id) WHERE (source_event_id IS NOT NULL)",
            ],
            await LinesAsync(
                "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'staffing.time_punch_events'::regclass ORDER BY pg_get_indexdef(indexrelid) COLLATE \"C\""));
    }

    [Theory]
    [InlineData("tenant_id = $1 AND person_uuid = $2 AND punch_time >= now() AND punch_time < now()", "(tenant_id, person_uuid, punch_time, id)")]
    [InlineData("tenant_id = $1 AND request_id = 'r'", "(tenant_id, request_id)")]
    [InlineData("tenant_id = $1 AND source_provider = 'WECOM' AND source_event_id = 's'", "(tenant_id, source_provider, source_event_id)")]
    public async Task A_generic_plan_on_a_fresh_ledger_uses_the_intended_index(string condition, string indexColumns)
    {
        // An empty, never analyzed copy of the table, as a service sees it on its first calls.
        await using var connection = await fixture.Superuser.OpenConnectionAsync();
        await using (var setup = new NpgsqlCommand(
            $"""
            CREATE TEMP TABLE plan_probe_events (LIKE staffing.time_punch_events INCLUDING ALL);
            SET plan_cache_mode = force_generic_plan;
            PREPARE plan_probe(uuid, uuid) AS SELECT id FROM plan_probe_events WHERE {condition};
            """, connection))
            await setup.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN EXECUTE plan_probe(gen_random_uuid(), gen_random_uuid())", connection);
        var plan = string.Join("\n", await ReadAllAsync(explain));
        var used = System.Text.RegularExpressions.Regex.Matches(plan, @"(?:using|on) (plan_probe_events_\w+)")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        var definitions = new List<string>();
        foreach (var index in used)
        {
            await using var def = new NpgsqlCommand("SELECT pg_get_indexdef(to_regclass($1))", connection);
            def.Parameters.Add(new NpgsqlParameter { Value = "pg_temp." + index });
            definitions.Add((string)(await def.ExecuteScalarAsync())!);
        }
        await using (var cleanup = new NpgsqlCommand("DEALLOCATE plan_probe; DROP TABLE plan_probe_events; RESET plan_cache_mode;", connection))
            await cleanup.ExecuteNonQueryAsync();
        Assert.True(definitions.Count == 1 && definitions[0].Contains($"btree {indexColumns}"), plan + "\n" + string.Join("\n", definitions));
    }

    private static async Task<List<string>> ReadAllAsync(NpgsqlCommand command)
    {
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return lines;
    }
}
