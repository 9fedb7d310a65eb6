using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HrmsAttendance.Tokens;
using Npgsql;
using Xunit.Abstractions;

namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>
/// Issue 13 item 6: punch-ledger SIGKILLed while its worker commits an import (through the gateway, in the whole
/// topology) and restarted with Aspire's restart command: the restarted service takes the batch over once its lease has
/// passed and finishes it, and every row is recorded exactly once — one event per line's request id, no punch twice,
/// every day's result there.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ImportFaultTests(FaultAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);
    private const int Days = 2500;

    [Fact]
    public async Task Punch_ledger_killed_mid_commit_is_restarted_and_finishes_the_import_with_every_row_once()
    {
        var app = fixture.App;
        var world = await FaultWorld.CreateAsync(app, fixture.DataDirectory);
        var rows = world.Persons.Count * Days * 2;
        using var http = app.CreateHttpClient("gateway", "http");
        http.Timeout = TimeSpan.FromSeconds(60);
        var admin = world.Token(AccessRoles.TenantAdmin);

        // Every person of the world (FAULT-<i>, 4), IN and OUT on each of 2,500 days: 20,000 rows, 20 commit chunks.
        var file = new StringBuilder("employee_number,punch_time,punch_type\r\n");
        var first = new DateOnly(2019, 1, 1);
        for (var p = 0; p < world.Persons.Count; p++)
            for (var d = 0; d < Days; d++)
            {
                var day = first.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                file.Append(CultureInfo.InvariantCulture, $"FAULT-{p},{day} 08:5{d % 10}:00,IN\r\nFAULT-{p},{day} 18:0{d % 10}:00,OUT\r\n");
            }
        var prepared = await SendAsync(http, admin, HttpMethod.Post, "/api/imports/prepare?format=csv",
            new ByteArrayContent(Encoding.UTF8.GetBytes(file.ToString())));
        var id = prepared.GetProperty("import_id").GetString()!;
        var parsed = await WaitWhileAsync(http, admin, id, "PARSING");
        Assert.Equal(rows, parsed.GetProperty("rows").GetProperty("valid").GetInt32());

        // The last person of the file is held (the kernel's person lock, taken by a transaction of the test's own), so the
        // commit cannot get through their rows: it is certainly still running when punch-ledger is killed, however fast
        // the other rows go in (a 20-chunk commit can otherwise finish between two status polls).
        var superuser = (await app.GetConnectionStringAsync("attendance"))!;
        await using var holder = LedgerAudit.Open(superuser);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT staffing.lock_attendance_person($1, $2)", holder, held))
        {
            hold.Parameters.Add(new NpgsqlParameter { Value = world.Tenant });
            hold.Parameters.Add(new NpgsqlParameter { Value = world.Persons[^1] });
            await hold.ExecuteScalarAsync();
        }

        await SendAsync(http, admin, HttpMethod.Post, $"/api/imports/commit?import_id={id}", new StringContent(
            JsonSerializer.Serialize(new { commitToken = prepared.GetProperty("commit_token").GetString(), idempotencyKey = "fault-" + id }),
            Encoding.UTF8, "application/json"));
        // SIGKILL once rows are in: the other persons' rows go in, the held person's wait.
        JsonElement atKill;
        var deadline = DateTime.UtcNow + Timeout;
        do atKill = await SendAsync(http, admin, HttpMethod.Get, $"/api/imports/status?import_id={id}");
        while (atKill.GetProperty("commit").GetProperty("rows_done").GetInt32() == 0 && DateTime.UtcNow < deadline);
        var doneAtKill = atKill.GetProperty("commit").GetProperty("rows_done").GetInt32();
        Assert.Equal("COMMITTING", atKill.GetProperty("status").GetString());
        Assert.InRange(doneAtKill, 1, rows - Days * 2);
        await ResourceFaults.KillAndRestartAsync(app, "punch-ledger", "PunchLedger", Timeout);
        // Let the held person go: the killed service's last chunk (its statement already sent) may still commit now, and
        // the restarted service continues after whatever did.
        await held.RollbackAsync();

        var committed = await WaitWhileAsync(http, admin, id, "COMMITTING");
        var commit = committed.GetProperty("commit");
        output.WriteLine($"IMPORT SIGKILL at {doneAtKill} of {rows} rows committed; after the restart: {commit.GetRawText()}");
        Assert.Equal("COMMITTED", committed.GetProperty("status").GetString());
        Assert.Equal((rows, rows, 0, 0), (commit.GetProperty("rows_done").GetInt32(), commit.GetProperty("accepted").GetInt32(),
            commit.GetProperty("duplicate").GetInt32(), commit.GetProperty("rejected").GetInt32()));

        var events = await LedgerAudit.EventsByRequestIdAsync(superuser, world.Tenant);
        Assert.Equal(rows, events.Count);
        Assert.All(events, e => Assert.Equal(1L, e.Value));
        Assert.All(events.Keys, key => Assert.StartsWith($"import:{id}:", key, StringComparison.Ordinal));
        Assert.Empty(await LedgerAudit.RepeatedPunchesAsync(superuser, world.Tenant));
        await using var connection = LedgerAudit.Open(superuser);
        await connection.OpenAsync();
        await using var results = new NpgsqlCommand("SELECT count(*) FROM staffing.daily_attendance_results WHERE tenant_id = $1", connection);
        results.Parameters.Add(new NpgsqlParameter { Value = world.Tenant });
        Assert.Equal(world.Persons.Count * (Days + 1L), (long)(await results.ExecuteScalarAsync())!);
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, string token, HttpMethod method, string path, HttpContent? content = null)
    {
        // punch-ledger is away for a moment around the kill: the gateway answers 502/503 then, and the call is repeated.
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode) return JsonDocument.Parse(text).RootElement.Clone();
            if (method != HttpMethod.Get || (int)response.StatusCode < 500 || attempt > 600)
                throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement> WaitWhileAsync(HttpClient http, string token, string id, string status)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var current = await SendAsync(http, token, HttpMethod.Get, $"/api/imports/status?import_id={id}");
            if (current.GetProperty("status").GetString() != status || DateTime.UtcNow > deadline) return current;
            await Task.Delay(100);
        }
    }
}
