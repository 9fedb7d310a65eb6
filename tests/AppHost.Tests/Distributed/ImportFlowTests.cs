using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Results.V1;
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
}
