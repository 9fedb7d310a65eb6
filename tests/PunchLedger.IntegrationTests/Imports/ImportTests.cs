using System.Net;
using System.Text;
using System.Text.Json;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Messaging.Outbox;
using HrmsAttendance.PunchLedger.Imports;
using HrmsAttendance.PunchLedger.Messaging;
using Npgsql;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Imports;

/// <summary>
/// The import pipeline on the real service and database (issue 13 item 6): template, prepare → background parse →
/// preview → commit through the batch door → report, for both formats; every row error code; the commit token;
/// idempotency keys; a service stopped mid-commit; results equal to one-by-one submission; tenant isolation.
/// </summary>
[Collection(ImportCollection.Name)]
public sealed class ImportTests(ImportFixture fixture)
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n"));

    [Theory]
    [InlineData("csv", "employee_number,person_uuid,punch_time,punch_type,request_id")]
    [InlineData("dingtalk", "姓名,工号,UserId,考勤日期,打卡时间,打卡结果")]
    public async Task The_template_is_utf8_with_a_bom_a_header_and_examples(string format, string header)
    {
        using var client = fixture.Client(Guid.NewGuid());
        using var response = await client.GetAsync($"/api/imports/template?format={format}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(header, lines[0]);
        Assert.True(lines.Length >= 3);
    }

    [Fact]
    public async Task A_csv_file_is_prepared_previewed_committed_and_reported()
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "E1", "E2");
        using var client = fixture.Client(tenant);
        var file = Utf8($"""
            punch_type,punch_time,employee_number,person_uuid,request_id
            IN,2026-03-02 08:58:00,E1,,
            OUT,2026-03-02T18:03:00+08:00,E1,,
            in,"2026-03-02 09:20",,{persons[1]},given-1
            OUT,2026-03-02T10:30:00Z,,{persons[1]},given-2

            """);
        var prepared = await client.PrepareAsync(file, extraQuery: "&file_name=march.csv");
        var id = prepared.GetProperty("import_id").GetString()!;
        Assert.Equal("PARSING", prepared.GetProperty("status").GetString());
        Assert.Equal("march.csv", prepared.GetProperty("file_name").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)), prepared.GetProperty("file_sha256").GetString());
        var token = prepared.GetProperty("commit_token").GetString()!;

        var parsed = await client.WaitAsync(id, "PARSING");
        Assert.Equal("PARSED", parsed.GetProperty("status").GetString());
        Assert.Equal((4, 4, 0), Rows(parsed));
        // The file was read for good: its chunks are gone, its hash stays.
        Assert.Equal(0L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.import_file_chunks"));
        Assert.NotNull(await fixture.OwnerScalarAsync(tenant, "SELECT file_sha256 FROM staffing.import_batches"));

        using (var response = await client.GetAsync($"/api/imports/preview?import_id={id}&previewLimit=3"))
        {
            var preview = await ImportCalls.JsonAsync(response);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var items = preview.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal([2, 3, 4], items.Select(i => i.GetProperty("line").GetInt32()));
            Assert.Equal(persons[0].ToString(), items[0].GetProperty("person_uuid").GetString());
            Assert.Equal("2026-03-02T00:58:00Z", items[0].GetProperty("punch_time").GetString());
            Assert.Equal("IN", items[2].GetProperty("punch_type").GetString());
            Assert.Equal("given-1", items[2].GetProperty("request_id").GetString());
            Assert.Equal($"import:{id}:2", items[0].GetProperty("request_id").GetString());
            Assert.All(items, item => Assert.Equal(JsonValueKind.Null, item.GetProperty("outcome").ValueKind)); // not committed yet
            Assert.Equal(4, preview.GetProperty("next_after_line").GetInt32());
            var change = preview.GetProperty("would_change");
            Assert.Equal((2, 2, "2026-03-01", "2026-03-02"), (change.GetProperty("persons").GetInt32(), change.GetProperty("person_days").GetInt32(),
                change.GetProperty("from_date").GetString(), change.GetProperty("to_date").GetString()));
        }

        var (status, commit) = await client.CommitAsync(id, token, "march-1");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("COMMITTING", commit.GetProperty("status").GetString());
        var done = await client.WaitAsync(id, "COMMITTING");
        Assert.Equal("COMMITTED", done.GetProperty("status").GetString());
        var counts = done.GetProperty("commit");
        Assert.Equal((4, 4, 0, 0), (counts.GetProperty("rows_done").GetInt32(), counts.GetProperty("accepted").GetInt32(),
            counts.GetProperty("duplicate").GetInt32(), counts.GetProperty("rejected").GetInt32()));
        Assert.Equal(4L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events WHERE source_provider = 'IMPORT'"));
        // E1 09:00–18:00 less 2 minutes late-free: IN 08:58, OUT 18:03 → PRESENT.
        Assert.Equal("PRESENT", await fixture.OwnerScalarAsync(tenant,
            "SELECT status FROM staffing.daily_attendance_results WHERE person_uuid = $1 AND work_date = '2026-03-02'", persons[0]));

        using var report = await client.GetAsync($"/api/imports/report?import_id={id}");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var reportLines = (await report.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line,person,punch_time,punch_type,request_id,result,code,detail,event_uuid,sheet_row,source_column", reportLines[0]);
        Assert.Equal(5, reportLines.Length);
        Assert.All(reportLines[1..], line => Assert.Contains(",ACCEPTED,", line));
        // Each accepted row's punch, by request id (the report reads it from the ledger: no outcome row is kept for it).
        Assert.Equal(
            await fixture.OwnerScalarAsync(tenant, """
                SELECT string_agg(request_id || ' ' || event_uuid::text, ',' ORDER BY request_id)
                FROM staffing.time_punch_events WHERE source_provider = 'IMPORT'
                """),
            string.Join(',', reportLines[1..].Select(line => line.Split(',')).Select(f => $"{f[4]} {f[8]}").Order(StringComparer.Ordinal)));

        using var audit = await client.GetAsync("/api/imports/audit");
        var actions = (await ImportCalls.JsonAsync(audit)).GetProperty("entries").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["COMMITTED", "COMMIT_REQUESTED", "PARSED", "PREPARE"], actions);
    }

    [Fact]
    public async Task A_dingtalk_export_in_gbk_maps_columns_by_header_and_persons_by_employee_number_or_user_id()
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "D1", "D2");
        await fixture.LinkDingTalkAsync(tenant, "manager4521", persons[1]);
        using var client = fixture.Client(tenant);
        // Columns in another order than the template's, quoted fields, CRLF, GBK; the verdict column is ignored.
        var text = """
            考勤日期,打卡时间,"姓名",UserId,工号,打卡结果
            26-03-02 星期一,08:59,张三,,D1,正常
            26-03-02 星期一,"18:01",张三,,D1,正常
            2026-03-02,2026-03-02 09:12:40,"李四, 经理",manager4521,,迟到

            """.Replace("\n", "\r\n");
        var prepared = await client.PrepareAsync(ImportStore.Gbk.GetBytes(text), "dingtalk");
        Assert.Equal("gbk", prepared.GetProperty("encoding").GetString());
        var id = prepared.GetProperty("import_id").GetString()!;
        var parsed = await client.WaitAsync(id, "PARSING");
        Assert.Equal((3, 3, 0), Rows(parsed));

        var (status, _) = await client.CommitAsync(id, prepared.GetProperty("commit_token").GetString()!);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("COMMITTED", (await client.WaitAsync(id, "COMMITTING")).GetProperty("status").GetString());
        // RAW punches (DingTalk's own verdicts are not trusted): D1 08:59 IN, 18:01 OUT → PRESENT; D2 09:12 → LATE, MISSING_OUT.
        Assert.Equal("PRESENT", await fixture.OwnerScalarAsync(tenant,
            "SELECT status FROM staffing.daily_attendance_results WHERE person_uuid = $1 AND work_date = '2026-03-02'", persons[0]));
        Assert.Equal("{LATE,MISSING_OUT}", await fixture.OwnerScalarAsync(tenant,
            "SELECT flags::text FROM staffing.daily_attendance_results WHERE person_uuid = $1 AND work_date = '2026-03-02'", persons[1]));
        Assert.Equal(3L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events WHERE punch_type = 'RAW'"));
    }

    [Fact]
    public async Task Every_kind_of_bad_row_gets_its_code_and_only_the_good_rows_are_committed()
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "G1", "G2", "OLD");
        await fixture.DeactivateAsync(tenant, persons[2]);
        using var client = fixture.Client(tenant);
        var future = DateTimeOffset.UtcNow.AddDays(3).ToString("yyyy-MM-dd HH:mm");
        var file = Utf8($"""
            employee_number,person_uuid,punch_time,punch_type,request_id
            G1,,2026-03-02 09:00,IN,
            ,,2026-03-02 09:00,IN,
            G1,not-a-uuid,2026-03-02 09:00,IN,
            NOBODY,,2026-03-02 09:00,IN,
            ,{Guid.NewGuid()},2026-03-02 09:00,IN,
            OLD,,2026-03-02 09:00,IN,
            G1,,2026-03-02 25:00,IN,
            G1,,1999-12-31 09:00,IN,
            G1,,{future},IN,
            G1,,2026-03-02 10:00,BREAK,
            G1,,2026-03-02 11:00,IN,import:mine
            G1,,2026-03-02 09:00,IN,
            ,{persons[0]},2026-03-02 09:00,IN,
            G2,,2026-03-02 18:00,OUT,same-id
            G2,,2026-03-02 18:30,OUT,same-id

            """);
        var prepared = await client.PrepareAsync(file);
        var id = prepared.GetProperty("import_id").GetString()!;
        var parsed = await client.WaitAsync(id, "PARSING");
        Assert.Equal((15, 2, 13), Rows(parsed));

        using var response = await client.GetAsync($"/api/imports/preview?import_id={id}&previewLimit=100");
        var preview = await ImportCalls.JsonAsync(response);
        var codes = preview.GetProperty("items").EnumerateArray().ToDictionary(
            i => i.GetProperty("line").GetInt32(),
            i => i.GetProperty("error").ValueKind == JsonValueKind.Null ? null : i.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(new Dictionary<int, string?>
        {
            [2] = null,
            [3] = ImportErrors.RowCodes.MissingPerson,
            [4] = ImportErrors.RowCodes.BadPerson,
            [5] = ImportErrors.RowCodes.UnknownEmployee,
            [6] = ImportErrors.RowCodes.UnknownPerson,
            [7] = ImportErrors.RowCodes.InactivePerson,
            [8] = ImportErrors.RowCodes.BadTime,
            [9] = ImportErrors.RowCodes.OutOfRange,
            [10] = ImportErrors.RowCodes.OutOfRange,
            [11] = ImportErrors.RowCodes.BadType,
            [12] = ImportErrors.RowCodes.BadRequestId,
            [13] = ImportErrors.RowCodes.DuplicateInFile, // the same punch as line 2
            [14] = ImportErrors.RowCodes.DuplicateInFile, // the same person by uuid, same instant and type
            [15] = null,
            [16] = ImportErrors.RowCodes.DuplicateInFile, // the same request id as line 15
        }, codes);
        Assert.Equal(3, preview.GetProperty("errors_by_code").GetProperty(ImportErrors.RowCodes.DuplicateInFile).GetInt32());
        // Each duplicate names the line it repeats.
        var duplicateOf = preview.GetProperty("items").EnumerateArray()
            .Where(i => codes[i.GetProperty("line").GetInt32()] == ImportErrors.RowCodes.DuplicateInFile)
            .ToDictionary(i => i.GetProperty("line").GetInt32(), i => i.GetProperty("error").GetProperty("detail").GetString());
        Assert.Equal(new Dictionary<int, string?>
        {
            [13] = "the same punch as line 2",
            [14] = "the same punch as line 2",
            [16] = "the same punch as line 15",
        }, duplicateOf);

        // A DingTalk user id that no link maps.
        var ding = await client.PrepareAsync(Utf8("工号,UserId,考勤日期,打卡时间\n,nobody-9,2026-03-02,09:00\n"), "dingtalk");
        var dingId = ding.GetProperty("import_id").GetString()!;
        await client.WaitAsync(dingId, "PARSING");
        using var dingPreview = await client.GetAsync($"/api/imports/preview?import_id={dingId}");
        Assert.Equal(ImportErrors.RowCodes.UnmappedExternalId,
            (await ImportCalls.JsonAsync(dingPreview)).GetProperty("items")[0].GetProperty("error").GetProperty("code").GetString());

        await client.CommitAsync(id, prepared.GetProperty("commit_token").GetString()!);
        var done = await client.WaitAsync(id, "COMMITTING");
        Assert.Equal(2, done.GetProperty("commit").GetProperty("accepted").GetInt32());
        Assert.Equal(2L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));
    }

    [Fact]
    public async Task A_file_that_is_not_an_import_fails_with_its_reason_and_cannot_be_committed()
    {
        var tenant = Guid.NewGuid();
        using var client = fixture.Client(tenant);
        var prepared = await client.PrepareAsync(Utf8("name,when\nx,y\n"));
        var id = prepared.GetProperty("import_id").GetString()!;
        var failed = await client.WaitAsync(id, "PARSING");
        Assert.Equal("FAILED", failed.GetProperty("status").GetString());
        Assert.Equal(0L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.import_file_chunks"));
        Assert.Equal(ImportErrors.FileBadHeader, failed.GetProperty("failure").GetProperty("code").GetString());
        var (status, problem) = await client.CommitAsync(id, prepared.GetProperty("commit_token").GetString()!);
        Assert.Equal((HttpStatusCode.Conflict, ImportErrors.NotReady), (status, problem.Code()));
    }

    [Fact]
    public async Task The_report_does_not_hand_a_spreadsheet_formulas_from_the_file()
    {
        using var client = fixture.Client(Guid.NewGuid());
        var prepared = await client.PrepareAsync(Utf8("employee_number,punch_time,punch_type\n\"=HYPERLINK(\"\"http://x\"\")\",2026-03-02 09:00,IN\n"));
        var id = prepared.GetProperty("import_id").GetString()!;
        await client.WaitAsync(id, "PARSING");
        using var report = await client.GetAsync($"/api/imports/report?import_id={id}");
        var line = (await report.Content.ReadAsStringAsync()).Split("\r\n")[1];
        Assert.StartsWith("2,\"'=HYPERLINK(\"\"http://x\"\")\",", line);
        Assert.Contains(",INVALID,IMPORT_ROW_UNKNOWN_EMPLOYEE,", line);
    }

    [Fact]
    public async Task The_commit_token_is_checked_used_once_expires_and_survives_a_restart()
    {
        var tenant = Guid.NewGuid();
        await fixture.PersonsAsync(tenant, "T1");
        using var client = fixture.Client(tenant);
        var file = Utf8("employee_number,punch_time,punch_type\nT1,2026-03-03 09:00,IN\n");

        // Issued by one instance, used by another started later on the same database.
        var prepared = await client.PrepareAsync(file);
        var id = prepared.GetProperty("import_id").GetString()!;
        var token = prepared.GetProperty("commit_token").GetString()!;
        await client.WaitAsync(id, "PARSING");
        await using (var restarted = fixture.StartService())
        {
            using var other = ImportFixture.Client(restarted, tenant);
            var (wrong, wrongProblem) = await other.CommitAsync(id, token[..^2] + "xx");
            Assert.Equal((HttpStatusCode.Forbidden, ImportErrors.TokenInvalid), (wrong, wrongProblem.Code()));
            var (first, _) = await other.CommitAsync(id, token);
            Assert.Equal(HttpStatusCode.Accepted, first);
            var (again, againProblem) = await other.CommitAsync(id, token);
            Assert.Equal((HttpStatusCode.Conflict, ImportErrors.TokenUsed), (again, againProblem.Code()));
            await other.WaitAsync(id, "COMMITTING");
        }

        // Expiry: the same file prepared again, its token's time passed (as if a day went by).
        var late = await client.PrepareAsync(file);
        var lateId = late.GetProperty("import_id").GetString()!;
        await client.WaitAsync(lateId, "PARSING");
        await fixture.OwnerScalarAsync(tenant, "UPDATE staffing.import_batches SET commit_token_expires_at = now() - interval '1 second' WHERE import_id = $1",
            Guid.Parse(lateId));
        var (expired, expiredProblem) = await client.CommitAsync(lateId, late.GetProperty("commit_token").GetString()!);
        Assert.Equal((HttpStatusCode.Gone, ImportErrors.TokenExpired), (expired, expiredProblem.Code()));
        Assert.Equal(1L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));
    }

    [Fact]
    public async Task The_same_idempotency_key_five_times_at_once_imports_once_and_another_file_with_it_is_a_conflict()
    {
        var tenant = Guid.NewGuid();
        await fixture.PersonsAsync(tenant, "K1", "K2");
        using var client = fixture.Client(tenant);
        var file = Utf8("employee_number,punch_time,punch_type\nK1,2026-03-04 09:00,IN\nK2,2026-03-04 09:01,IN\nK1,2026-03-04 18:00,OUT\n");
        // The same file prepared twice (a client that retried its upload): two batches, one key.
        var first = await client.PrepareAsync(file);
        var second = await client.PrepareAsync(file);
        foreach (var p in new[] { first, second }) await client.WaitAsync(p.GetProperty("import_id").GetString()!, "PARSING");

        var attempts = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
        {
            var p = i % 2 == 0 ? first : second;
            return client.CommitAsync(p.GetProperty("import_id").GetString()!, p.GetProperty("commit_token").GetString()!, "key-once");
        }));
        Assert.Single(attempts, a => a.Status == HttpStatusCode.Accepted);
        Assert.All(attempts.Where(a => a.Status != HttpStatusCode.Accepted), a =>
        {
            Assert.Equal(HttpStatusCode.OK, a.Status);
            Assert.True(a.Body.GetProperty("replayed").GetBoolean());
        });
        var committed = attempts.Single(a => a.Status == HttpStatusCode.Accepted).Body.GetProperty("import_id").GetString()!;
        Assert.All(attempts, a => Assert.Equal(committed, a.Body.GetProperty("import_id").GetString()));
        await client.WaitAsync(committed, "COMMITTING");
        Assert.Equal(3L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));

        var other = await client.PrepareAsync(Utf8("employee_number,punch_time,punch_type\nK2,2026-03-05 09:00,IN\n"));
        var otherId = other.GetProperty("import_id").GetString()!;
        await client.WaitAsync(otherId, "PARSING");
        var (status, problem) = await client.CommitAsync(otherId, other.GetProperty("commit_token").GetString()!, "key-once");
        Assert.Equal((HttpStatusCode.Conflict, ImportErrors.IdempotencyConflict), (status, problem.Code()));
        Assert.Equal(3L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));
    }

    [Fact]
    public async Task A_parse_cut_off_and_claimed_again_stages_every_row_once_with_the_same_outcome()
    {
        var tenant = Guid.NewGuid();
        await fixture.PersonsAsync(tenant, "C1", "C2");
        using var client = fixture.Client(tenant);
        var file = Utf8("""
            employee_number,punch_time,punch_type,request_id
            C1,2026-03-02 09:00,IN,
            C2,2026-03-02 09:01,IN,
            NOBODY,2026-03-02 09:02,IN,
            C1,2026-03-02 09:00,IN,
            C2,2026-03-02 18:00,OUT,same-id
            C1,2026-03-02 18:30,OUT,same-id

            """);
        var prepared = await client.PrepareAsync(file);
        var id = prepared.GetProperty("import_id").GetString()!;
        var importId = Guid.Parse(id);
        Assert.Equal((6, 3, 3), Rows(await client.WaitAsync(id, "PARSING")));
        const string Outcome = """
            SELECT string_agg(concat_ws(' ', line, person_uuid, punch_time, punch_type, request_id, error_code, error_detail), E'\n' ORDER BY line)
            FROM staffing.import_rows WHERE import_id = $1
            """;
        var first = (string)(await fixture.OwnerScalarAsync(tenant, Outcome, importId))!;

        // As workers leave a parse they were cut off from (the service stopped, the lease passed): the file still stored,
        // the rows already in import_rows (as a parse cut off after some blocks leaves them), some progress, no lease.
        await using (var connection = await fixture.Owner.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            async Task Execute(string sql, params object[] parameters)
            {
                await using var command = new NpgsqlCommand(sql, connection, tx);
                foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
                await command.ExecuteNonQueryAsync();
            }
            await Execute("SELECT set_config('app.current_tenant', $1, true)", tenant.ToString());
            await Execute("INSERT INTO staffing.import_file_chunks (import_id, tenant_id, chunk, data) VALUES ($1, $2, 0, $3)", importId, tenant, file);
            await Execute("UPDATE staffing.import_batches SET status = 'PARSING', rows_read = 4, lease_until = NULL WHERE import_id = $1", importId);
            await tx.CommitAsync();
        }

        // The worker claims it again (it polls) and parses the file from the start.
        var again = await client.WaitAsync(id, "PARSING");
        Assert.Equal("PARSED", again.GetProperty("status").GetString());
        Assert.Equal((6, 3, 3), Rows(again));
        Assert.Equal(first, await fixture.OwnerScalarAsync(tenant, Outcome, importId));
        Assert.Equal(6L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.import_rows WHERE import_id = $1", importId));
        Assert.Equal(2L, await fixture.OwnerScalarAsync(tenant,
            "SELECT count(*) FROM staffing.import_audit WHERE import_id = $1 AND action = 'PARSED'", importId));
    }

    [Fact]
    public async Task A_block_of_a_parse_attempt_that_was_superseded_is_refused_and_lands_nothing()
    {
        var tenant = Guid.NewGuid();
        await fixture.PersonsAsync(tenant, "S1");
        using var client = fixture.Client(tenant);
        var prepared = await client.PrepareAsync(Utf8("employee_number,punch_time,punch_type\nS1,2026-03-02 09:00,IN\n"));
        var id = prepared.GetProperty("import_id").GetString()!;
        var importId = Guid.Parse(id);
        Assert.Equal("PARSED", (await client.WaitAsync(id, "PARSING")).GetProperty("status").GetString());

        // As a parse that started over leaves it: PARSING under a new attempt (its lease far off, so no worker claims
        // it now); a block of the earlier attempt's worker, still reading, arrives, and one of the new attempt's.
        var earlier = Guid.NewGuid();
        var current = Guid.NewGuid();
        await fixture.OwnerScalarAsync(tenant, """
            UPDATE staffing.import_batches SET status = 'PARSING', parse_attempt = $2, lease_until = now() + interval '1 hour'
            WHERE import_id = $1
            """, importId, current);

        // (nullColumns: the columns no row has a value in sent as NULL, as the stagers do since 0035)
        async Task<int> StageAsync(Guid attempt, int[] lines, bool nullColumns = false)
        {
            await using var connection = await fixture.App.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand("""
                SELECT (staffing.stage_import_block($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)).staged
                FROM set_config('app.current_tenant', $1, true)
                """, connection, tx);
            var n = lines.Length;
            string?[] Texts(string? value) => Enumerable.Repeat(value, n).ToArray();
            foreach (var value in new object[]
                     {
                         tenant.ToString(), importId, attempt, lines, Texts("S1"), Texts("2026-03-03 09:00"), Texts("IN"), Texts("S1"),
                         Texts(null), new Guid?[n], Enumerable.Repeat<DateTime?>(new DateTime(2026, 3, 3, 1, 0, 0, DateTimeKind.Utc), n).ToArray(),
                         Texts("IN"), lines.Select(l => $"import:test:{l}").ToArray(), Texts(null), Texts(null), new int?[n], Texts(null),
                     })
                command.Parameters.Add(new NpgsqlParameter
                {
                    Value = nullColumns && value is Array column && column.Cast<object?>().All(v => v is null) ? DBNull.Value : value,
                });
            var staged = (int)(await command.ExecuteScalarAsync())!;
            await tx.CommitAsync();
            return staged;
        }

        var refused = await Assert.ThrowsAsync<PostgresException>(() => StageAsync(earlier, [10, 11]));
        Assert.Equal("STAFFING_INVALID_ARGUMENT", refused.MessageText);
        Assert.Equal(2, await StageAsync(current, [20, 21]));
        // The same rows with their empty columns (user ids, UUIDs, codes, sheet rows, source columns) as NULL: the same rows.
        Assert.Equal(2, await StageAsync(current, [22, 23], nullColumns: true));
        const string Rows = """
            SELECT string_agg(row(person_text, time_text, type_text, employee_number, external_user_id, person_uuid, punch_time,
                                  punch_type, request_id = 'import:test:' || line, error_code, error_detail, sheet_row, source_column)::text,
                              ',' ORDER BY line)
            FROM staffing.import_rows WHERE import_id = $1 AND line = ANY($2)
            """;
        var withArrays = await fixture.OwnerScalarAsync(tenant, Rows, importId, new[] { 20, 21 });
        Assert.Contains(",,,", withArrays?.ToString());
        Assert.Equal(withArrays, await fixture.OwnerScalarAsync(tenant, Rows, importId, new[] { 22, 23 }));
        await fixture.OwnerScalarAsync(tenant, "DELETE FROM staffing.import_rows WHERE import_id = $1 AND line IN (22, 23)", importId);
        const string Lines = "SELECT string_agg(line::text || ' ' || person_uuid::text, ',' ORDER BY line) FROM staffing.import_rows WHERE import_id = $1";
        var person = await fixture.OwnerScalarAsync(tenant, "SELECT person_uuid::text FROM staffing.import_rows WHERE import_id = $1 AND line = 2", importId);
        Assert.Equal($"2 {person},20 {person},21 {person}", await fixture.OwnerScalarAsync(tenant, Lines, importId));

        // A block whose columns are not all as long as its lines is refused whole.
        await using (var connection = await fixture.App.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        await using (var command = new NpgsqlCommand("""
            SELECT staffing.stage_import_block($2, $3, '{30,31}', '{S1,S1}', '{a,b}', '{IN,IN}', '{S1,S1}', '{NULL,NULL}', '{NULL,NULL}',
                                               '{2026-03-04 01:00Z,2026-03-04 02:00Z}', '{IN}', '{x,y}', '{NULL,NULL}', '{NULL,NULL}',
                                               '{NULL,NULL}', '{NULL,NULL}')
            FROM set_config('app.current_tenant', $1, true)
            """, connection, tx))
        {
            foreach (var value in new object[] { tenant.ToString(), importId, current })
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            var ragged = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
            Assert.Equal("STAFFING_INVALID_ARGUMENT", ragged.MessageText);
        }
        Assert.Equal($"2 {person},20 {person},21 {person}", await fixture.OwnerScalarAsync(tenant, Lines, importId));
    }

    [Fact]
    public async Task A_service_stopped_mid_commit_is_finished_by_the_next_one_with_every_row_once()
    {
        var tenant = Guid.NewGuid();
        var numbers = Enumerable.Range(1, 40).Select(i => $"R{i}").ToArray();
        await fixture.PersonsAsync(tenant, numbers);
        var file = new StringBuilder("employee_number,punch_time,punch_type\n");
        foreach (var number in numbers)
            for (var day = 1; day <= 25; day++)
                file.Append($"{number},2026-01-{day:00} 08:5{day % 10},IN\n{number},2026-01-{day:00} 18:0{day % 10},OUT\n");
        var settings = new Dictionary<string, string?> { ["Imports:CommitChunkRows"] = "50", ["Imports:WorkerLease"] = "00:00:02" };

        string id;
        var first = fixture.StartService(settings);
        using (var client = ImportFixture.Client(first, tenant))
        {
            var prepared = await client.PrepareAsync(Utf8(file.ToString()));
            id = prepared.GetProperty("import_id").GetString()!;
            Assert.Equal("PARSED", (await client.WaitAsync(id, "PARSING")).GetProperty("status").GetString());
            await client.CommitAsync(id, prepared.GetProperty("commit_token").GetString()!);
            while ((await client.StatusAsync(id)).GetProperty("commit").GetProperty("rows_done").GetInt32() < 200) await Task.Delay(20);
        }
        await first.DisposeAsync(); // stops its worker in the middle of the commit
        // (the parts' counts: the batch's own are added up when the commit finishes, 0027)
        var stoppedAt = (int)(long)(await fixture.OwnerScalarAsync(tenant,
            "SELECT b.rows_committed + (SELECT coalesce(sum(p.rows_committed), 0) FROM staffing.import_commit_parts p WHERE p.import_id = b.import_id) FROM staffing.import_batches b WHERE b.import_id = $1",
            Guid.Parse(id)))!;
        Assert.InRange(stoppedAt, 200, 1999);

        // The next service is configured for more parts: the batch keeps the parts its commit started with (each part's
        // cursor only means something for its own split of the persons).
        await using var second = fixture.StartService(new Dictionary<string, string?>(settings) { ["Imports:CommitParts"] = "3" });
        using var next = ImportFixture.Client(second, tenant);
        var done = await next.WaitAsync(id, "COMMITTING");
        Assert.Equal("COMMITTED", done.GetProperty("status").GetString());
        Assert.Equal((2000, 2000, 0), (done.GetProperty("commit").GetProperty("rows_done").GetInt32(),
            done.GetProperty("commit").GetProperty("accepted").GetInt32(), done.GetProperty("commit").GetProperty("duplicate").GetInt32()));
        Assert.Equal(2000L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));
        Assert.Equal(2000L, await fixture.OwnerScalarAsync(tenant, "SELECT count(DISTINCT request_id) FROM staffing.time_punch_events"));
        Assert.Equal(1000L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.daily_attendance_results WHERE status = 'PRESENT'"));
        Assert.Equal("2", await fixture.OwnerScalarAsync(tenant,
            "SELECT details ->> 'commit_parts' FROM staffing.import_audit WHERE import_id = $1 AND action = 'COMMITTED'", Guid.Parse(id)));
        Assert.Equal(2L, await fixture.OwnerScalarAsync(tenant,
            """
            SELECT count(*) FROM staffing.import_commit_parts p
            WHERE p.import_id = $1 AND p.after_line = (SELECT max(line) FROM staffing.import_rows r WHERE r.import_id = p.import_id)
            """, Guid.Parse(id)));
    }

    [Theory]
    [InlineData(null, null)] // the configured chunks and parts
    [InlineData("7", "3")]   // many chunks in each of three parts: a person's punches span chunks, ties at the minute included
    public async Task The_daily_results_of_an_import_equal_those_of_the_same_punches_submitted_one_by_one(string? chunkRows, string? parts)
    {
        var imported = Guid.NewGuid();
        var single = Guid.NewGuid();
        var numbers = Enumerable.Range(1, 6).Select(i => $"S{i}").ToArray();
        var importedPersons = await fixture.PersonsAsync(imported, numbers);
        var singlePersons = await fixture.PersonsAsync(single, numbers);
        var random = new Random(13);
        var rows = Enumerable.Range(0, 300).Select(_ => (
            Person: random.Next(numbers.Length),
            Time: new DateTimeOffset(2026, 2, 2, 0, 0, 0, TimeSpan.FromHours(8)).AddMinutes(random.Next(0, 4 * 24 * 60)),
            Type: random.Next(3) switch { 0 => "IN", 1 => "OUT", _ => "RAW" })).ToList();
        var file = new StringBuilder("employee_number,punch_time,punch_type\n");
        foreach (var row in rows) file.Append($"{numbers[row.Person]},{row.Time:yyyy-MM-dd'T'HH:mm:sszzz},{row.Type}\n");

        await using var service = chunkRows is null ? null
            : fixture.StartService(new Dictionary<string, string?> { ["Imports:CommitChunkRows"] = chunkRows, ["Imports:CommitParts"] = parts });
        using var client = service is null ? fixture.Client(imported) : ImportFixture.Client(service, imported);
        var prepared = await client.PrepareAsync(Utf8(file.ToString()));
        var id = prepared.GetProperty("import_id").GetString()!;
        var parsed = await client.WaitAsync(id, "PARSING");
        await client.CommitAsync(id, prepared.GetProperty("commit_token").GetString()!);
        Assert.Equal("COMMITTED", (await client.WaitAsync(id, "COMMITTING")).GetProperty("status").GetString());
        var valid = Rows(parsed).Valid;

        // The same punches, in file order, one by one through the single door; duplicates within the file are left
        // out there as the import leaves them out.
        var seen = new HashSet<(int, DateTimeOffset, string)>();
        await using (var connection = await fixture.App.OpenConnectionAsync())
        {
            foreach (var (row, line) in rows.Select((r, i) => (r, i + 2)))
            {
                if (!seen.Add((row.Person, row.Time, row.Type))) continue;
                await using var tx = await connection.BeginTransactionAsync();
                await using var command = new NpgsqlCommand("""
                    SELECT d.* FROM set_config('app.current_tenant', $1, true) AS t(tenant)
                    CROSS JOIN LATERAL staffing.submit_time_punch_event(t.tenant::uuid, $2, $3, $4, 'IMPORT', NULL, $5, '{}'::jsonb, NULL) d
                    """, connection, tx);
                foreach (var value in new object[] { single.ToString(), singlePersons[row.Person], row.Time.UtcDateTime, row.Type, $"line-{line}" })
                    command.Parameters.Add(new NpgsqlParameter { Value = value });
                await command.ExecuteNonQueryAsync();
                await tx.CommitAsync();
            }
        }
        Assert.Equal(seen.Count, valid);

        async Task<List<string>> ResultsAsync(Guid tenant, Guid[] persons)
        {
            var results = new List<string>();
            await using var connection = await fixture.Owner.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, tx))
            {
                set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
                await set.ExecuteNonQueryAsync();
            }
            await using var command = new NpgsqlCommand("""
                SELECT person_uuid, work_date, status, flags::text, first_in_time, last_out_time, worked_minutes, late_minutes,
                       early_leave_minutes, input_punch_count
                FROM staffing.daily_attendance_results ORDER BY person_uuid, work_date
                """, connection, tx);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var values = Enumerable.Range(1, reader.FieldCount - 1).Select(i => reader.IsDBNull(i) ? "-" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
                results.Add($"{numbers[Array.IndexOf(persons, reader.GetGuid(0))]} {string.Join(" ", values)}");
            }
            results.Sort(StringComparer.Ordinal);
            return results;
        }
        var expected = await ResultsAsync(single, singlePersons);
        Assert.True(expected.Count > numbers.Length);
        Assert.Equal(expected, await ResultsAsync(imported, importedPersons));
    }

    [Fact]
    public async Task Another_tenant_sees_and_commits_nothing_of_an_import()
    {
        var owner = Guid.NewGuid();
        await fixture.PersonsAsync(owner, "I1");
        using var client = fixture.Client(owner);
        var prepared = await client.PrepareAsync(Utf8("employee_number,punch_time,punch_type\nI1,2026-03-06 09:00,IN\n"));
        var id = prepared.GetProperty("import_id").GetString()!;
        await client.WaitAsync(id, "PARSING");

        using var stranger = fixture.Client(Guid.NewGuid());
        foreach (var path in new[] { "status", "preview", "report" })
        {
            using var response = await stranger.GetAsync($"/api/imports/{path}?import_id={id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(ImportErrors.NotFound, (await ImportCalls.JsonAsync(response)).Code());
        }
        var (status, problem) = await stranger.CommitAsync(id, prepared.GetProperty("commit_token").GetString()!);
        Assert.Equal((HttpStatusCode.NotFound, ImportErrors.NotFound), (status, problem.Code()));
        using var audit = await stranger.GetAsync("/api/imports/audit");
        Assert.Empty((await ImportCalls.JsonAsync(audit)).GetProperty("entries").EnumerateArray());
        Assert.Equal("PARSED", (await client.StatusAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_their_code_and_store_nothing()
    {
        var tenant = Guid.NewGuid();
        using var client = fixture.Client(tenant);
        async Task<(HttpStatusCode, string)> Send(HttpRequestMessage request)
        {
            using var response = await client.SendAsync(request);
            return (response.StatusCode, (await ImportCalls.JsonAsync(response)).Code());
        }
        Assert.Equal((HttpStatusCode.BadRequest, ImportErrors.InvalidArgument), await Send(new(HttpMethod.Get, "/api/imports/template?format=xlsx")));
        Assert.Equal((HttpStatusCode.BadRequest, ImportErrors.InvalidArgument), await Send(new(HttpMethod.Get, "/api/imports/template?format=csv&x=1")));
        Assert.Equal((HttpStatusCode.BadRequest, ImportErrors.InvalidArgument), await Send(new(HttpMethod.Get, "/api/imports/status?import_id=abc")));
        Assert.Equal((HttpStatusCode.BadRequest, ImportErrors.InvalidArgument),
            await Send(new(HttpMethod.Get, $"/api/imports/preview?import_id={Guid.NewGuid()}&previewLimit=0")));
        Assert.Equal((HttpStatusCode.BadRequest, ImportErrors.FileEmpty),
            await Send(new(HttpMethod.Post, "/api/imports/prepare?format=csv") { Content = new ByteArrayContent([]) }));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, ImportErrors.FileTooLarge),
            await Send(new(HttpMethod.Post, "/api/imports/prepare?format=csv") { Content = new ByteArrayContent(new byte[ImportFixture.MaxFileBytes + 1]) }));
        Assert.Equal((HttpStatusCode.BadRequest, ImportErrors.InvalidArgument), await Send(new(HttpMethod.Post, $"/api/imports/commit?import_id={Guid.NewGuid()}")
        {
            Content = new StringContent("""{"commitToken":"t","extra":1}""", Encoding.UTF8, "application/json"),
        }));
        Assert.Equal(0L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.import_batches"));

        using var anonymous = new HttpClient { BaseAddress = fixture.Service.HttpEndpoint };
        using var refused = await anonymous.GetAsync("/api/imports/template?format=csv");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_committed_import_announces_ImportCommitted_after_its_punches_with_its_counts_and_dates()
    {
        var tenant = Guid.NewGuid();
        await fixture.PersonsAsync(tenant, "C1", "C2");
        using var client = fixture.Client(tenant);
        var file = Utf8("""
            employee_number,punch_time,punch_type
            C1,2026-03-02 08:58,IN
            C1,2026-03-02 18:02,OUT
            C2,2026-03-04 09:30,IN
            C9,2026-03-04 09:30,IN

            """);
        var prepared = await client.PrepareAsync(file, extraQuery: "&file_name=week.csv");
        var id = prepared.GetProperty("import_id").GetString()!;
        await client.WaitAsync(id, "PARSING");
        Assert.Equal(HttpStatusCode.Accepted, (await client.CommitAsync(id, prepared.GetProperty("commit_token").GetString()!, "week-1")).Status);
        Assert.Equal("COMMITTED", (await client.WaitAsync(id, "COMMITTING")).GetProperty("status").GetString());

        // Exactly one, in the outbox after every PunchRecorded of the import.
        Assert.Equal(1L, await fixture.OwnerScalarAsync(tenant,
            "SELECT count(*) FROM staffing.outbox_messages WHERE message_type = 'ImportCommitted'"));
        Assert.Equal(true, await fixture.OwnerScalarAsync(tenant, """
            SELECT max(outbox_id) FILTER (WHERE message_type = 'PunchRecorded') < max(outbox_id) FILTER (WHERE message_type = 'ImportCommitted')
            FROM staffing.outbox_messages
            """));
        var message = await ImportCommittedAsync(tenant);
        Assert.Equal((Guid.Parse(id), tenant, "csv", "week.csv", "week-1", "test-user"),
            (message.ImportId, message.TenantId, message.Format, message.FileName, message.IdempotencyKey, message.CommittedBy));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)), message.FileSha256);
        Assert.Equal((4, 1, 3, 0, 0), (message.RowsRead, message.RowsInvalid, message.RowsAccepted, message.RowsDuplicate, message.RowsRejected));
        Assert.Equal((2, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 4)), (message.Persons, message.FromDate, message.ToDate));
    }

    [Fact]
    public async Task ImportCommitted_counts_only_the_persons_and_days_of_rows_the_parse_left_valid()
    {
        // Line 3 repeats line 2's request id: marked IMPORT_ROW_DUPLICATE_IN_FILE by the parse, never committed. Its person
        // (D2) and day (03-09) are in no accepted row, so ImportCommitted names one person and 03-01..03-02 (the parse's
        // summary of the valid rows, taken before the marks, must not be used: 0034).
        var tenant = Guid.NewGuid();
        await fixture.PersonsAsync(tenant, "D1", "D2");
        using var client = fixture.Client(tenant);
        var file = Utf8("""
            employee_number,punch_time,punch_type,request_id
            D1,2026-03-02 08:58,IN,rid-1
            D2,2026-03-09 09:30,IN,rid-1
            D1,2026-03-02 18:02,OUT,rid-2

            """);
        var prepared = await client.PrepareAsync(file);
        var id = prepared.GetProperty("import_id").GetString()!;
        Assert.Equal((3, 2, 1), Rows(await client.WaitAsync(id, "PARSING")));
        Assert.Equal(HttpStatusCode.Accepted, (await client.CommitAsync(id, prepared.GetProperty("commit_token").GetString()!)).Status);
        Assert.Equal("COMMITTED", (await client.WaitAsync(id, "COMMITTING")).GetProperty("status").GetString());

        var message = await ImportCommittedAsync(tenant);
        Assert.Equal((3, 1, 2, 0, 0), (message.RowsRead, message.RowsInvalid, message.RowsAccepted, message.RowsDuplicate, message.RowsRejected));
        Assert.Equal((1, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2)), (message.Persons, message.FromDate, message.ToDate));
    }

    private async Task<ImportCommitted> ImportCommittedAsync(Guid tenant)
    {
        var row = await fixture.OwnerRowAsync(tenant,
            "SELECT outbox_id, position, payload::text, created_at FROM staffing.outbox_messages WHERE message_type = 'ImportCommitted'");
        return (ImportCommitted)new LedgerOutboxMessages().Create(
            new OutboxMessage((long)row[0]!, (int)(long)row[1]!, tenant, "ImportCommitted", JsonDocument.Parse((string)row[2]!).RootElement, null,
                (DateTimeOffset)(DateTime)row[3]!),
            Guid.NewGuid());
    }

    private static (int Read, int Valid, int Invalid) Rows(JsonElement status)
    {
        var rows = status.GetProperty("rows");
        return (rows.GetProperty("read").GetInt32(), rows.GetProperty("valid").GetInt32(), rows.GetProperty("invalid").GetInt32());
    }
}
