using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Tests.Shared;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// An import through the gateway in the whole topology (issue 13's "done when"): a tenant-admin downloads the template,
/// uploads a file, watches it parse, previews it, commits it, retries the commit safely, and reads the daily results
/// through daily-results; other roles are refused by the gateway.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class ImportFlowTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task A_tenant_admin_imports_a_file_through_the_gateway_and_reads_its_results()
    {
        await fixture.App.WaitHealthyAsync("gateway", TimeSpan.FromSeconds(90));
        await fixture.App.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(90));
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        var tenant = Guid.NewGuid();
        var admin = callers.Token(tenant, AccessRoles.TenantAdmin);
        using var channel = callers.Channel();
        var person = await new IdentityMapping.IdentityMappingClient(channel).CreatePersonAsync(
            new() { EmployeeNumber = "IMP-1", DisplayName = "Import person" }, TopologyCallers.Bearer(admin));

        using var http = callers.Http();
        async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpMethod method, string path, HttpContent? content = null, string? token = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? admin);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement.Clone() : default);
        }

        using (var template = new HttpRequestMessage(HttpMethod.Get, "/api/imports/template?format=csv"))
        {
            template.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var response = await http.SendAsync(template);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("\uFEFFemployee_number,", Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
        }

        var file = Encoding.UTF8.GetBytes("employee_number,punch_time,punch_type\r\nIMP-1,2026-03-02 08:55,IN\r\nIMP-1,2026-03-02 18:05,OUT\r\n");
        var (prepareStatus, prepared) = await Send(HttpMethod.Post, "/api/imports/prepare?format=csv", new ByteArrayContent(file));
        Assert.Equal(HttpStatusCode.Accepted, prepareStatus);
        var id = prepared.GetProperty("import_id").GetString()!;

        JsonElement status;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do { (_, status) = await Send(HttpMethod.Get, $"/api/imports/status?import_id={id}"); await Task.Delay(100); }
        while (status.GetProperty("status").GetString() == "PARSING" && DateTime.UtcNow < deadline);
        Assert.Equal("PARSED", status.GetProperty("status").GetString());

        var (previewStatus, preview) = await Send(HttpMethod.Get, $"/api/imports/preview?import_id={id}");
        Assert.Equal(HttpStatusCode.OK, previewStatus);
        Assert.Equal(2, preview.GetProperty("items").GetArrayLength());

        // An employee and an approver are refused by the gateway; the admin commits, then retries with the same key.
        var employee = callers.Token(tenant, AccessRoles.Employee, Guid.Parse(person.PersonUuid));
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(HttpMethod.Get, $"/api/imports/status?import_id={id}", token: employee)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(HttpMethod.Get, "/api/imports/audit", token: callers.Token(tenant, AccessRoles.Approver))).Status);
        string Body() => JsonSerializer.Serialize(new { commitToken = prepared.GetProperty("commit_token").GetString(), idempotencyKey = "flow-1" });
        var (commitStatus, _) = await Send(HttpMethod.Post, $"/api/imports/commit?import_id={id}", new StringContent(Body(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, commitStatus);
        var (retryStatus, retry) = await Send(HttpMethod.Post, $"/api/imports/commit?import_id={id}", new StringContent(Body(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, retryStatus);
        Assert.True(retry.GetProperty("replayed").GetBoolean());

        deadline = DateTime.UtcNow.AddSeconds(60);
        do { (_, status) = await Send(HttpMethod.Get, $"/api/imports/status?import_id={id}"); await Task.Delay(100); }
        while (status.GetProperty("status").GetString() == "COMMITTING" && DateTime.UtcNow < deadline);
        Assert.Equal(("COMMITTED", 2), (status.GetProperty("status").GetString(), status.GetProperty("commit").GetProperty("accepted").GetInt32()));

        var day = await new DailyResults.DailyResultsClient(channel).GetDailyResultAsync(
            new GetDailyResultRequest { PersonUuid = person.PersonUuid, WorkDate = "2026-03-02" }, TopologyCallers.Bearer(admin));
        Assert.Equal((DailyStatus.Present, 2), (day.Status, day.InputPunchCount));
    }

    /// <summary>
    /// Issue 16's "done when": DingTalk's export workbook as downloaded (月度汇总, 原始记录 with its title rows, 每日统计)
    /// goes through the gateway without conversion, its punches resolved by UserId through the person's DingTalk link;
    /// the same workbook uploaded again adds nothing.
    /// </summary>
    [Fact]
    public async Task A_DingTalk_export_workbook_goes_through_the_gateway_as_downloaded_and_again_adds_nothing()
    {
        await fixture.App.WaitHealthyAsync("gateway", TimeSpan.FromSeconds(90));
        await fixture.App.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(90));
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        var tenant = Guid.NewGuid();
        var admin = callers.Token(tenant, AccessRoles.TenantAdmin);
        using var channel = callers.Channel();
        var identity = new IdentityMapping.IdentityMappingClient(channel);
        var person = await identity.CreatePersonAsync(new() { EmployeeNumber = "DT-1", DisplayName = "钉钉员工" }, TopologyCallers.Bearer(admin));
        await identity.LinkIdentityAsync(new() { Provider = IdentityProvider.Dingtalk, ExternalUserId = "0456789012345678901", PersonUuid = person.PersonUuid },
            TopologyCallers.Bearer(admin));

        using var output = new MemoryStream();
        using (var workbook = new XlsxWorkbookWriter(output))
        {
            workbook.StartSheet("月度汇总");
            workbook.Row(1, "月度汇总 统计日期：2026-03-01 至 2026-03-31");
            workbook.StartSheet("原始记录");
            workbook.Row(1, "原始记录 统计日期：2026-03-01 至 2026-03-31");
            workbook.Row(2, "报表生成时间：2026-04-01 09:30");
            workbook.Row(3, "姓名", "考勤组", "部门", "工号", "职位", "UserId", "考勤日期", "考勤时间", "打卡时间", "打卡结果", "打卡地址");
            workbook.Row(4, "钉钉员工", "总部", "研发部", "", "工程师", "0456789012345678901", "26-03-03 星期二", "09:00", "2026-03-03 08:57", "正常", "上海");
            workbook.Row(5, "钉钉员工", "总部", "研发部", "", "工程师", "0456789012345678901", "26-03-03 星期二", "18:00", "2026-03-03 18:04", "正常", "上海");
            workbook.StartSheet("每日统计");
            workbook.Row(1, "每日统计 统计日期：2026-03-01 至 2026-03-31");
        }
        var file = output.ToArray();

        using var http = callers.Http();
        async Task<JsonElement> Send(HttpMethod method, string path, HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        async Task<JsonElement> WaitWhile(string id, string passing)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            JsonElement status;
            do { status = await Send(HttpMethod.Get, $"/api/imports/status?import_id={id}"); await Task.Delay(100); }
            while (status.GetProperty("status").GetString() == passing && DateTime.UtcNow < deadline);
            return status;
        }
        async Task<(JsonElement Parsed, JsonElement Committed)> ImportAsync()
        {
            var prepared = await Send(HttpMethod.Post, "/api/imports/prepare?format=dingtalk&file_name=%E8%80%83%E5%8B%A4%E6%8A%A5%E8%A1%A8.xlsx",
                new ByteArrayContent(file));
            var id = prepared.GetProperty("import_id").GetString()!;
            var parsed = await WaitWhile(id, "PARSING");
            Assert.Equal("PARSED", parsed.GetProperty("status").GetString());
            var body = JsonSerializer.Serialize(new { commitToken = prepared.GetProperty("commit_token").GetString() });
            await Send(HttpMethod.Post, $"/api/imports/commit?import_id={id}", new StringContent(body, Encoding.UTF8, "application/json"));
            return (parsed, await WaitWhile(id, "COMMITTING"));
        }

        var (parsed, committed) = await ImportAsync();
        var detected = parsed.GetProperty("detected");
        Assert.Equal(("xlsx", "RAW_RECORDS", "原始记录", 3), (detected.GetProperty("container").GetString(), detected.GetProperty("layout").GetString(),
            detected.GetProperty("sheet").GetString(), detected.GetProperty("header_row").GetInt32()));
        Assert.Equal(("COMMITTED", 2), (committed.GetProperty("status").GetString(), committed.GetProperty("commit").GetProperty("accepted").GetInt32()));
        var results = new DailyResults.DailyResultsClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        DailyResult day;
        do
        {
            day = await results.GetDailyResultAsync(new GetDailyResultRequest { PersonUuid = person.PersonUuid, WorkDate = "2026-03-03" }, TopologyCallers.Bearer(admin));
            if (day.InputPunchCount == 2) break;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal((DailyStatus.Present, 2), (day.Status, day.InputPunchCount));

        var (again, againCommitted) = await ImportAsync();
        Assert.Equal((0, 2), (again.GetProperty("rows").GetProperty("valid").GetInt32(), again.GetProperty("rows").GetProperty("invalid").GetInt32()));
        Assert.Equal(0, againCommitted.GetProperty("commit").GetProperty("accepted").GetInt32());
        day = await results.GetDailyResultAsync(new GetDailyResultRequest { PersonUuid = person.PersonUuid, WorkDate = "2026-03-03" }, TopologyCallers.Bearer(admin));
        Assert.Equal((DailyStatus.Present, 2), (day.Status, day.InputPunchCount));
    }
}
