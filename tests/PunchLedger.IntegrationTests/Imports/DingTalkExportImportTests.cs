using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.PunchLedger.Imports;
using HrmsAttendance.PunchLedger.IntegrationTests.Grpc;
using HrmsAttendance.Tests.Shared;
using Npgsql;
using ImportsClient = HrmsAttendance.Contracts.Imports.V1.Imports.ImportsClient;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Imports;

/// <summary>
/// Issue 16: DingTalk's real exports — the .xlsx workbook, a single-sheet export, CSV re-saves in UTF-8 (BOM or not) and
/// GBK, of both punch layouts (原始记录, 每日统计) — through upload → preview → commit on the real service and database,
/// with the awkward cases real exports have; a punch counted once whichever file, layout or connector brought it; daily
/// results equal to the same punches submitted one by one.
/// </summary>
[Collection(ImportCollection.Name)]
public sealed class DingTalkExportImportTests(ImportFixture fixture)
{
    private static DateTime At(int day, int hour, int minute) => new(2026, 3, day, hour, minute, 0);

    [Fact]
    public async Task A_whole_workbook_is_read_from_its_原始记录_sheet_with_every_awkward_row_reported_and_results_equal_one_by_one()
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "E001", "E002", "E003");
        await fixture.LinkDingTalkAsync(tenant, "0123", persons[0]); // a leading zero
        await fixture.LinkDingTalkAsync(tenant, "12345678901234567890123", persons[1]); // longer than a double holds
        ExportPunch[] punches =
        [
            new("0123", "E001", At(2, 8, 58), "IN"), new("0123", "E001", At(2, 18, 3), "OUT"),
            new("0123", "E001", At(3, 9, 12), "IN"), new("0123", "E001", At(3, 17, 40), "OUT"),
            new("12345678901234567890123", null, At(2, 9, 1), "IN"), new("12345678901234567890123", null, At(2, 18, 30), "OUT"),
            new("12345678901234567890123", null, At(3, 8, 50), "IN"), new("12345678901234567890123", null, At(4, 0, 30), "OUT", -1),
            new(null, "E003", At(2, 8, 59), "IN"), new(null, "E003", At(2, 18, 0), "OUT"), // 工号 only
        ];
        // Columns shuffled, the old spelling userId, a column DingTalk does not have.
        string[] header = [.. DingTalkExportFiles.RawHeader.Reverse().Select(h => h == "UserId" ? "userId" : h), "自定义字段"];
        var raw = DingTalkExportFiles.RawSheet(punches, header, [
            new() { ["userId"] = "0123", ["考勤日期"] = "26-03-04 星期三", ["打卡结果"] = "未打卡" },                      // row 14: no 打卡时间
            new() { ["userId"] = "ghost-7", ["打卡时间"] = "2026-03-02 09:00" },                                            // 15: unmapped
            new() { ["userId"] = "ghost-7", ["打卡时间"] = "2026-03-02 18:00" },                                            // 16: unmapped
            new() { ["userId"] = "0123", ["打卡时间"] = "3月2日 9点" },                                                     // 17: bad time
            new() { ["userId"] = "0123", ["打卡时间"] = "2026-03-02 08:58", ["考勤日期"] = "26-03-02 星期一" },             // 18: duplicate of row 4
            new() { ["userId"] = 1.2345678901234568E+22, ["打卡时间"] = "2026-03-02 10:00" },                               // 19: id stored as a number
            new(),                                                                                                           // 20: empty
            new() { ["工号"] = "E404", ["打卡时间"] = "2026-03-02 10:00" },                                                 // 21: unknown 工号
        ]);
        raw.Insert(raw.Count - 1, []); // no row 21 at all (a gap in the sheet's row numbers): the unknown 工号 is row 22
        // Row 23: a re-save that made 打卡时间 a number (Excel's serial date), 2026-03-05 09:00.
        raw.Add(DingTalkExportFiles.RawRow(header, new() { ["userId"] = "0123", ["打卡时间"] = new DateTime(2026, 3, 5, 9, 0, 0).ToOADate() }));
        var (daily, merges) = DingTalkExportFiles.DailySheet(punches);
        // The whole workbook, 每日统计 before 原始记录: 原始记录 is still the sheet read.
        var file = DingTalkExportFiles.Workbook(DingTalkExportFiles.MonthlySummary(), ("每日统计", daily, merges),
            DingTalkExportFiles.PunchTimes(), ("原始记录", raw, null));

        using var client = fixture.Client(tenant);
        var (id, token, parsed) = await PrepareParsedAsync(client, file);
        Assert.Equal(("PARSED", 11), (parsed.GetProperty("status").GetString(), parsed.GetProperty("rows").GetProperty("valid").GetInt32()));
        AssertDetected(parsed, "xlsx", DingTalkExports.RawRecords, "原始记录", 3, 3);

        var preview = await PreviewAsync(client, id);
        var codes = Items(preview).ToDictionary(i => i.GetProperty("sheet_row").GetInt32(), i => ErrorCode(i));
        Assert.Equal(Enumerable.Range(4, 10).Concat([14, 15, 16, 17, 18, 19, 22, 23]).Order(), codes.Keys.Order());
        Assert.All(Enumerable.Range(4, 10).Append(23), row => Assert.Null(codes[row]));
        Assert.Equal(ImportErrors.RowCodes.NotAPunch, codes[14]);
        Assert.Equal(ImportErrors.RowCodes.UnmappedExternalId, codes[15]);
        Assert.Equal(ImportErrors.RowCodes.UnmappedExternalId, codes[16]);
        Assert.Equal(ImportErrors.RowCodes.BadTime, codes[17]);
        Assert.Equal(ImportErrors.RowCodes.DuplicateInFile, codes[18]);
        Assert.Equal(ImportErrors.RowCodes.BadPerson, codes[19]);
        Assert.Equal(ImportErrors.RowCodes.UnknownEmployee, codes[22]);
        var duplicate = Items(preview).Single(i => i.GetProperty("sheet_row").GetInt32() == 18);
        Assert.Equal("the same punch as row 4 (打卡时间)", duplicate.GetProperty("error").GetProperty("detail").GetString());
        // Persons by their ids exactly as written (leading zero, 23 digits), never by name.
        var byRow = Items(preview).ToDictionary(i => i.GetProperty("sheet_row").GetInt32());
        Assert.Equal(persons[0].ToString(), byRow[4].GetProperty("person_uuid").GetString());
        Assert.Equal(persons[1].ToString(), byRow[8].GetProperty("person_uuid").GetString());
        Assert.Equal(persons[2].ToString(), byRow[12].GetProperty("person_uuid").GetString());
        Assert.Equal("RAW", byRow[4].GetProperty("punch_type").GetString());
        Assert.Equal("2026-03-03T16:30:00Z", byRow[11].GetProperty("punch_time").GetString()); // 2026-03-04 00:30 Asia/Shanghai
        Assert.Equal("2026-03-05T01:00:00Z", byRow[23].GetProperty("punch_time").GetString());
        // The unmapped id is on identity-mapping's to-do list, counted once per row, as the connectors count theirs.
        Assert.Equal(2L, await fixture.OwnerScalarAsync(tenant,
            "SELECT seen_count FROM person.unmapped_identities WHERE provider = 'DINGTALK' AND external_user_id = 'ghost-7'"));

        await CommitAsync(client, id, token, accepted: 11);
        Assert.Equal(await ResultsAsync(await OneByOneAsync([.. punches, new("0123", "E001", At(5, 9, 0), "IN")], raw: true)), await ResultsAsync(tenant));
    }

    [Fact]
    public async Task A_每日统计_export_alone_with_a_merged_two_level_header_gives_IN_and_OUT_punches_次日_and_缺卡()
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "D1", "D2");
        await fixture.LinkDingTalkAsync(tenant, "d-1", persons[0]);
        ExportPunch[] punches =
        [
            new("d-1", "D1", At(2, 8, 55), "IN"), new("d-1", "D1", At(2, 12, 0), "OUT"),
            new("d-1", "D1", At(2, 13, 0), "IN"), new("d-1", "D1", At(2, 18, 5), "OUT"),
            new("d-1", "D1", At(3, 9, 20), "IN"), new("d-1", "D1", At(4, 1, 10), "OUT", -1), // 次日 01:10 on the 3rd's row
            new(null, "D2", At(2, 8, 59), "IN"),
        ];
        var (rows, merges) = DingTalkExportFiles.DailySheet(punches,
            missing: [(null, "D2", new DateOnly(2026, 3, 2), "下班1")], restDays: [(null, "D2", new DateOnly(2026, 3, 7))]);
        var file = DingTalkExportFiles.Workbook(("每日统计", rows, merges));

        using var client = fixture.Client(tenant);
        var (id, token, parsed) = await PrepareParsedAsync(client, file);
        Assert.Equal(7, parsed.GetProperty("rows").GetProperty("valid").GetInt32());
        AssertDetected(parsed, "xlsx", DingTalkExports.DailyStatistics, "每日统计", 3, 4);

        var items = Items(await PreviewAsync(client, id));
        var overnight = items.Single(i => i.GetProperty("source_column").GetString() == "下班1打卡时间" && i.GetProperty("punch_time").GetString() == "2026-03-03T17:10:00Z");
        Assert.Equal(("OUT", "26-03-03 星期二 次日 01:10"), (overnight.GetProperty("punch_type").GetString(), overnight.GetProperty("time").GetString()));
        Assert.Equal(8, overnight.GetProperty("sheet_row").GetInt32()); // rows 5–6: D2's two days, 7–8: d-1's (by id, then date)
        Assert.Equal(["IN", "IN", "OUT", "IN", "OUT", "IN", "OUT"],
            items.Where(i => ErrorCode(i) is null).Select(i => i.GetProperty("punch_type").GetString()));
        var notPunches = items.Where(i => ErrorCode(i) == ImportErrors.RowCodes.NotAPunch).ToList();
        Assert.Equal(2, notPunches.Count);
        Assert.Contains(notPunches, i => i.GetProperty("source_column").GetString() == "下班1打卡时间"
                                         && i.GetProperty("error").GetProperty("detail").GetString()!.Contains("缺卡"));
        Assert.Contains(notPunches, i => i.GetProperty("source_column").ValueKind == JsonValueKind.Null); // the rest day

        // The same detection through gRPC (additive fields of ImportStatus and ImportRow).
        using var channel = GrpcChannel.ForAddress(fixture.Service.GrpcEndpoint);
        var grpc = new ImportsClient(channel);
        var options = new CallOptions(new Metadata { { "authorization", "Bearer " + PunchLedgerServiceFixture.AccessTokens.Issue(tenant) } },
            DateTime.UtcNow.AddSeconds(30));
        var grpcPreview = await grpc.PreviewImportAsync(new PreviewImportRequest { ImportId = id, PreviewLimit = 1000 }, options);
        Assert.Equal(("xlsx", DingTalkExports.DailyStatistics, "每日统计", 3, 4), (grpcPreview.Import.Detected.Container,
            grpcPreview.Import.Detected.Layout, grpcPreview.Import.Detected.Sheet, grpcPreview.Import.Detected.HeaderRow,
            grpcPreview.Import.Detected.HeaderLastRow));
        Assert.Contains(grpcPreview.Rows, r => r.SheetRow == 8 && r.SourceColumn == "下班1打卡时间" && r.PunchType == "OUT");

        await CommitAsync(client, id, token, accepted: 7);
        Assert.Equal(await ResultsAsync(await OneByOneAsync(punches, raw: false)), await ResultsAsync(tenant));
    }

    [Theory]
    [InlineData(DingTalkExports.RawRecords, "utf-8", true)]
    [InlineData(DingTalkExports.RawRecords, "utf-8", false)]
    [InlineData(DingTalkExports.RawRecords, "gbk", false)]
    [InlineData(DingTalkExports.DailyStatistics, "utf-8", true)]
    [InlineData(DingTalkExports.DailyStatistics, "utf-8", false)]
    [InlineData(DingTalkExports.DailyStatistics, "gbk", false)]
    public async Task A_csv_re_save_of_either_sheet_in_either_encoding_is_detected_and_read_alike(string layout, string encoding, bool bom)
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "C1", "C2");
        await fixture.LinkDingTalkAsync(tenant, "007", persons[0]);
        ExportPunch[] punches =
        [
            new("007", "C1", At(9, 8, 57), "IN"), new("007", "C1", At(9, 18, 2), "OUT"),
            new(null, "C2", At(9, 9, 30), "IN"), new(null, "C2", At(10, 0, 15), "OUT", -1),
        ];
        var rows = layout == DingTalkExports.RawRecords ? DingTalkExportFiles.RawSheet(punches) : DingTalkExportFiles.DailySheet(punches).Rows;
        var file = DingTalkExportFiles.Csv(rows, encoding == "gbk" ? ImportStore.Gbk : new UTF8Encoding(false), bom);

        using var client = fixture.Client(tenant);
        var (id, token, parsed) = await PrepareParsedAsync(client, file);
        Assert.Equal(encoding, parsed.GetProperty("encoding").GetString()); // detected at upload
        Assert.Equal((4, 0), (parsed.GetProperty("rows").GetProperty("valid").GetInt32(), parsed.GetProperty("rows").GetProperty("invalid").GetInt32()));
        AssertDetected(parsed, "csv", layout, null, 3, layout == DingTalkExports.RawRecords ? 3 : 4);
        var understood = Items(await PreviewAsync(client, id))
            .Select(i => (i.GetProperty("person_uuid").GetString(), i.GetProperty("punch_time").GetString(), i.GetProperty("punch_type").GetString()))
            .Order().ToList();
        var type = (ExportPunch p) => layout == DingTalkExports.RawRecords ? "RAW" : p.Type;
        var expected = punches.Select(p => ((string?)persons[p.UserId is null ? 1 : 0].ToString(),
                (string?)new DateTimeOffset(p.Local, TimeSpan.FromHours(8)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                (string?)type(p)))
            .Order().ToList();
        Assert.Equal(expected, understood);
        await CommitAsync(client, id, token, accepted: 4);
    }

    [Fact]
    public async Task A_workbook_of_several_staging_blocks_is_staged_whole_and_in_order()
    {
        // 15,000 rows: the parse stages 5,000 rows at a time, so this file takes three full blocks and ends on a block
        // boundary (an empty last block). Every row is staged once with its own line and sheet row, and a duplicate in
        // the last block names its row in the first.
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "B1", "B2");
        await fixture.LinkDingTalkAsync(tenant, "b-1", persons[0]);
        await fixture.LinkDingTalkAsync(tenant, "b-2", persons[1]);
        var first = new DateTime(2010, 1, 1);
        var punches = new List<ExportPunch>();
        foreach (var user in new[] { "b-1", "b-2" })
            for (var d = 0; d < 3750; d++)
            {
                punches.Add(new(user, null, first.AddDays(d).AddHours(8).AddMinutes(d % 50), "IN"));
                if (user == "b-1" || d < 3749) punches.Add(new(user, null, first.AddDays(d).AddHours(18).AddMinutes(d % 30), "OUT"));
            }
        var raw = DingTalkExportFiles.RawSheet(punches, extra: [
            new() { ["UserId"] = "b-1", ["打卡时间"] = $"{punches[0].Local:yyyy-MM-dd HH:mm}" }, // row 15,003: the punch of row 4 again
        ]);
        using var client = fixture.Client(tenant);
        var (id, _, parsed) = await PrepareParsedAsync(client, DingTalkExportFiles.Workbook(("原始记录", raw, null)));
        Assert.Equal(("PARSED", 14999, 1), (parsed.GetProperty("status").GetString(), parsed.GetProperty("rows").GetProperty("valid").GetInt32(),
            parsed.GetProperty("rows").GetProperty("invalid").GetInt32()));
        var importId = Guid.Parse(id);
        Assert.Equal(15000L, await fixture.OwnerScalarAsync(tenant,
            "SELECT count(*) FROM staffing.import_rows WHERE import_id = $1 AND line = sheet_row AND line BETWEEN 4 AND 15003", importId));
        Assert.Equal(15000L, await fixture.OwnerScalarAsync(tenant,
            "SELECT count(DISTINCT line) FROM staffing.import_rows WHERE import_id = $1", importId));
        Assert.Equal("IMPORT_ROW_DUPLICATE_IN_FILE the same punch as row 4 (打卡时间)", await fixture.OwnerScalarAsync(tenant,
            "SELECT error_code || ' ' || error_detail FROM staffing.import_rows WHERE import_id = $1 AND line = 15003", importId));
        // Rows keep their punches across blocks: b-1's last row is its last day's OUT, b-2's its last day's IN.
        Assert.Equal("2020-04-07 18:", await fixture.OwnerScalarAsync(tenant,
            "SELECT left(time_text, 14) FROM staffing.import_rows WHERE import_id = $1 AND line = 7503", importId));
        Assert.Equal("2020-04-07 08:", await fixture.OwnerScalarAsync(tenant,
            "SELECT left(time_text, 14) FROM staffing.import_rows WHERE import_id = $1 AND line = 15002", importId));
    }

    [Fact]
    public async Task The_same_punches_again_from_the_same_file_or_the_other_layout_add_nothing_in_either_order()
    {
        ExportPunch[] punches =
        [
            new("i-1", null, At(16, 8, 58), "IN"), new("i-1", null, At(16, 18, 3), "OUT"),
            new("i-1", null, At(17, 9, 15), "IN"), new("i-1", null, At(17, 17, 30), "OUT"),
            new("i-2", null, At(16, 9, 0), "IN"), new("i-2", null, At(17, 1, 5), "OUT", -1),
        ];
        var raw = DingTalkExportFiles.Workbook(("原始记录", DingTalkExportFiles.RawSheet(punches), null));
        var (dailyRows, merges) = DingTalkExportFiles.DailySheet(punches);
        var daily = DingTalkExportFiles.Workbook(("每日统计", dailyRows, merges));

        var results = new List<List<string>>();
        foreach (var (first, second) in new[] { (raw, daily), (daily, raw) })
        {
            var tenant = Guid.NewGuid();
            var persons = await fixture.PersonsAsync(tenant, "I1", "I2");
            await fixture.LinkDingTalkAsync(tenant, "i-1", persons[0]);
            await fixture.LinkDingTalkAsync(tenant, "i-2", persons[1]);
            using var client = fixture.Client(tenant);
            var (id, token, _) = await PrepareParsedAsync(client, first);
            await CommitAsync(client, id, token, accepted: 6);
            var afterFirst = await ResultsAsync(tenant);

            foreach (var again in new[] { first, second })
            {
                var (againId, againToken, parsed) = await PrepareParsedAsync(client, again);
                Assert.Equal((0, 6), (parsed.GetProperty("rows").GetProperty("valid").GetInt32(), parsed.GetProperty("rows").GetProperty("invalid").GetInt32()));
                var items = Items(await PreviewAsync(client, againId));
                Assert.All(items, i => Assert.Equal(ImportErrors.RowCodes.AlreadyRecorded, ErrorCode(i)));
                Assert.All(items, i => Assert.Contains("earlier import", i.GetProperty("error").GetProperty("detail").GetString()));
                await CommitAsync(client, againId, againToken, accepted: 0);
            }
            Assert.Equal(6L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));
            Assert.Equal(afterFirst, await ResultsAsync(tenant));
            results.Add(afterFirst);
        }
        // On a day like these (IN then OUT), the RAW punches of 原始记录 and the IN/OUT of 每日统计 give the same results.
        Assert.Equal(results[0], results[1]);
    }

    [Fact]
    public async Task Two_layouts_parsed_before_either_commits_still_record_each_punch_once()
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "R1");
        await fixture.LinkDingTalkAsync(tenant, "r-1", persons[0]);
        ExportPunch[] punches = [new("r-1", null, At(18, 8, 58), "IN"), new("r-1", null, At(18, 18, 3), "OUT")];
        var (dailyRows, merges) = DingTalkExportFiles.DailySheet(punches);
        using var client = fixture.Client(tenant);
        var (rawId, rawToken, _) = await PrepareParsedAsync(client, DingTalkExportFiles.Workbook(("原始记录", DingTalkExportFiles.RawSheet(punches), null)));
        var (dailyId, dailyToken, dailyParsed) = await PrepareParsedAsync(client, DingTalkExportFiles.Workbook(("每日统计", dailyRows, merges)));
        Assert.Equal(2, dailyParsed.GetProperty("rows").GetProperty("valid").GetInt32()); // nothing recorded yet when it was read
        await CommitAsync(client, rawId, rawToken, accepted: 2);
        var afterRaw = await ResultsAsync(tenant);

        // The same punch ids (person + minute) with another type: the ledger's request-id key refuses them.
        var (status, _) = await client.CommitAsync(dailyId, dailyToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, status);
        var done = await client.WaitAsync(dailyId, "COMMITTING");
        Assert.Equal((0, 2), (done.GetProperty("commit").GetProperty("accepted").GetInt32(), done.GetProperty("commit").GetProperty("rejected").GetInt32()));
        using var report = await client.GetAsync($"/api/imports/report?import_id={dailyId}");
        Assert.All((await report.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1..],
            line => Assert.Contains(",REJECTED,STAFFING_IDEMPOTENCY_CONFLICT,", line));
        // Its ImportCommitted names no person and no dates: the door accepted none of its rows.
        Assert.Equal("0  ", await fixture.OwnerScalarAsync(tenant, """
            SELECT concat_ws(' ', payload->>'persons', coalesce(payload->>'from_date', ''), coalesce(payload->>'to_date', ''))
            FROM staffing.outbox_messages WHERE message_type = 'ImportCommitted' AND payload->>'import_id' = $1
            """, dailyId));
        Assert.Equal(2L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));
        Assert.Equal(afterRaw, await ResultsAsync(tenant));
    }

    [Fact]
    public async Task A_punch_the_DingTalk_connector_recorded_in_the_same_minute_is_the_same_punch()
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "S1");
        await fixture.LinkDingTalkAsync(tenant, "s-1", persons[0]);
        // As the Stream connector records it: seconds, DingTalk's record id, RAW.
        var streamed = await SubmitAsync(tenant, persons[0], new DateTimeOffset(2026, 3, 20, 8, 58, 41, TimeSpan.FromHours(8)), "RAW",
            "DINGTALK", "rec-9001", "dingtalk:rec-9001");
        ExportPunch[] punches =
        [
            new("s-1", null, At(20, 8, 58), "IN"), // the streamed punch, without its seconds
            new("s-1", null, At(20, 8, 59), "IN"), // the next minute: another punch
            new("s-1", null, At(20, 18, 3), "OUT"),
        ];
        using var client = fixture.Client(tenant);
        var (id, token, parsed) = await PrepareParsedAsync(client, DingTalkExportFiles.Workbook(("原始记录", DingTalkExportFiles.RawSheet(punches), null)));
        Assert.Equal(2, parsed.GetProperty("rows").GetProperty("valid").GetInt32());
        var same = Items(await PreviewAsync(client, id)).Single(i => ErrorCode(i) is not null);
        Assert.Equal((ImportErrors.RowCodes.AlreadyRecorded, 4, streamed.ToString()),
            (ErrorCode(same), same.GetProperty("sheet_row").GetInt32(), same.GetProperty("event_uuid").GetString()));
        Assert.Contains("DingTalk connector", same.GetProperty("error").GetProperty("detail").GetString());
        await CommitAsync(client, id, token, accepted: 2);
        Assert.Equal(3L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));
    }

    [Fact]
    public async Task A_file_without_a_DingTalk_sheet_or_not_a_workbook_fails_with_its_reason()
    {
        using var client = fixture.Client(Guid.NewGuid());
        async Task<JsonElement> FailedAsync(byte[] file)
        {
            var prepared = await client.PrepareAsync(file, "dingtalk");
            var status = await client.WaitAsync(prepared.GetProperty("import_id").GetString()!, "PARSING");
            Assert.Equal("FAILED", status.GetProperty("status").GetString());
            return status.GetProperty("failure");
        }
        var noPunchSheet = await FailedAsync(DingTalkExportFiles.Workbook(DingTalkExportFiles.MonthlySummary(), DingTalkExportFiles.PunchTimes()));
        Assert.Equal(ImportErrors.FileBadHeader, noPunchSheet.GetProperty("code").GetString());
        Assert.Contains("sheets: 月度汇总, 打卡时间", noPunchSheet.GetProperty("detail").GetString());
        var broken = await FailedAsync([.. "PK"u8, 3, 4, .. Encoding.ASCII.GetBytes(new string('x', 200))]);
        Assert.Equal(ImportErrors.FileUnreadable, broken.GetProperty("code").GetString());
        var csv = await FailedAsync(Encoding.UTF8.GetBytes("姓名,部门\r\n张三,研发部\r\n"));
        Assert.Equal(ImportErrors.FileBadHeader, csv.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_workbook_whose_shared_strings_expand_like_a_zip_bomb_fails_as_too_large_before_any_row()
    {
        var tenant = Guid.NewGuid();
        var persons = await fixture.PersonsAsync(tenant, "Z1");
        await fixture.LinkDingTalkAsync(tenant, "z-1", persons[0]);
        // A readable 原始记录 sheet, but shared strings that expand to 129 MiB (past the 32 MiB the reader holds) from ~130 KB.
        var header = string.Concat(DingTalkExportFiles.RawHeader.Select((h, i) => $"""<c r="{XlsxWorkbookWriter.ColumnName(i)}3" t="inlineStr"><is><t>{h}</t></is></c>"""));
        var punch = """<c r="F4" t="inlineStr"><is><t>z-1</t></is></c><c r="I4" t="inlineStr"><is><t>2026-03-02 09:00</t></is></c>""";
        var file = XlsxWorkbookTests.Package([("原始记录", $"""<row r="3">{header}</row><row r="4">{punch}</row>""")], "<si><t>x</t></si>",
            sharedStringsPadding: 129L << 20);
        Assert.InRange(file.Length, 1, ImportFixture.MaxFileBytes);

        using var client = fixture.Client(tenant);
        var prepared = await client.PrepareAsync(file, "dingtalk");
        var id = prepared.GetProperty("import_id").GetString()!;
        var status = await client.WaitAsync(id, "PARSING");
        Assert.Equal("FAILED", status.GetProperty("status").GetString());
        Assert.Equal(ImportErrors.FileTooLarge, status.GetProperty("failure").GetProperty("code").GetString());
        Assert.Contains("xl/sharedStrings.xml expands to", status.GetProperty("failure").GetProperty("detail").GetString());
        Assert.Equal(0L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.import_rows WHERE import_id = $1", Guid.Parse(id)));
        Assert.Equal(0L, await fixture.OwnerScalarAsync(tenant, "SELECT count(*) FROM staffing.time_punch_events"));
    }

    // ------------------------------------------------------------------------------------------------------------------

    private static async Task<(string Id, string Token, JsonElement Parsed)> PrepareParsedAsync(HttpClient client, byte[] file)
    {
        var prepared = await client.PrepareAsync(file, "dingtalk");
        var id = prepared.GetProperty("import_id").GetString()!;
        var parsed = await client.WaitAsync(id, "PARSING");
        Assert.True(parsed.GetProperty("status").GetString() == "PARSED", parsed.ToString());
        return (id, prepared.GetProperty("commit_token").GetString()!, parsed);
    }

    private static async Task<JsonElement> PreviewAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/api/imports/preview?import_id={id}&previewLimit=1000");
        return await ImportCalls.JsonAsync(response);
    }

    private static async Task CommitAsync(HttpClient client, string id, string token, int accepted)
    {
        var (status, body) = await client.CommitAsync(id, token);
        Assert.True(status == System.Net.HttpStatusCode.Accepted, body.ToString());
        var done = await client.WaitAsync(id, "COMMITTING");
        Assert.Equal(("COMMITTED", accepted, 0), (done.GetProperty("status").GetString(),
            done.GetProperty("commit").GetProperty("accepted").GetInt32(), done.GetProperty("commit").GetProperty("rejected").GetInt32()));
    }

    private static void AssertDetected(JsonElement status, string container, string layout, string? sheet, int headerRow, int headerLastRow)
    {
        var detected = status.GetProperty("detected");
        Assert.Equal((container, layout, sheet, headerRow, headerLastRow), (detected.GetProperty("container").GetString(),
            detected.GetProperty("layout").GetString(), detected.GetProperty("sheet").GetString(),
            detected.GetProperty("header_row").GetInt32(), detected.GetProperty("header_last_row").GetInt32()));
    }

    private static List<JsonElement> Items(JsonElement preview) => [.. preview.GetProperty("items").EnumerateArray()];

    private static string? ErrorCode(JsonElement item) =>
        item.GetProperty("error").ValueKind == JsonValueKind.Null ? null : item.GetProperty("error").GetProperty("code").GetString();

    /// <summary>
    /// The same punches in a tenant of their own, one by one through the single door: the persons by the same employee
    /// numbers (a UserId-only punch's person is numbered as the test made it), RAW for 原始记录, IN/OUT for 每日统计.
    /// </summary>
    private async Task<Guid> OneByOneAsync(IEnumerable<ExportPunch> punches, bool raw)
    {
        var tenant = Guid.NewGuid();
        var list = punches.ToList();
        var byKey = new Dictionary<string, Guid>();
        foreach (var p in list)
        {
            var key = EmployeeNumberOf(p);
            if (!byKey.ContainsKey(key)) byKey[key] = (await fixture.PersonsAsync(tenant, key))[0];
        }
        var i = 0;
        foreach (var p in list)
            await SubmitAsync(tenant, byKey[EmployeeNumberOf(p)], new DateTimeOffset(p.Local, TimeSpan.FromHours(8)), raw ? "RAW" : p.Type,
                "IMPORT", null, $"one-by-one-{i++}");
        return tenant;
    }

    /// <summary>The employee number the tests give a person: its 工号, or for a UserId-only punch the number made for it.</summary>
    private static string EmployeeNumberOf(ExportPunch p) => p.EmployeeNumber ?? p.UserId switch
    {
        "12345678901234567890123" => "E002",
        "i-1" => "I1",
        "i-2" => "I2",
        _ => throw new ArgumentException(p.UserId),
    };

    private async Task<Guid> SubmitAsync(Guid tenant, Guid person, DateTimeOffset time, string type, string provider, string? sourceEventId, string requestId)
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("""
            SELECT d.event_uuid FROM set_config('app.current_tenant', $1, true) AS t(tenant)
            CROSS JOIN LATERAL staffing.submit_time_punch_event(t.tenant::uuid, $2, $3, $4, $5, $6, $7, '{}'::jsonb, NULL) d
            """, connection, tx);
        foreach (var value in new object?[] { tenant.ToString(), person, time.UtcDateTime, type, provider, sourceEventId, requestId })
            command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
        var eventUuid = (Guid)(await command.ExecuteScalarAsync())!;
        await tx.CommitAsync();
        return eventUuid;
    }

    /// <summary>A tenant's daily results, by employee number and work date, every field.</summary>
    private async Task<List<string>> ResultsAsync(Guid tenant)
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
            SELECT p.employee_number, r.work_date, r.status, r.flags::text, r.first_in_time, r.last_out_time, r.worked_minutes,
                   r.late_minutes, r.early_leave_minutes, r.input_punch_count
            FROM staffing.daily_attendance_results r JOIN person.persons p ON p.tenant_id = r.tenant_id AND p.person_uuid = r.person_uuid
            ORDER BY 1, 2
            """, connection, tx);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            results.Add(string.Join(" ", Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? "-" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        Assert.NotEmpty(results);
        return results;
    }
}
