using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using static HrmsAttendance.AppHost.Tests.Distributed.Connectors.Patiently;
using static HrmsAttendance.AppHost.Tests.Distributed.Connectors.WeComWorld;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// The WeCom poller against the fake, through the whole topology (two connector replicas polling every second with a
/// 10-minute overlap): each record once into the ledger however often its window is read, no gap when the token expires
/// mid-poll or WeCom says 45009, late records inside the overlap picked up, 未打卡 rows ignored, unmapped punches parked
/// and replayed once linked, tenants apart.
/// </summary>
[Collection(WeComAppCollection.Name)]
public sealed class WeComConnectorTests(WeComAppFixture fixture)
{
    [Fact]
    public async Task The_same_window_polled_again_and_again_is_one_ledger_event_per_record_with_its_raw_record()
    {
        using var world = await PolledAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-twice", person);
        var clockIn = MinutesAgo(5);
        world.WeCom.AddRecord(world.CorpId, "u-twice", clockIn, "上班打卡", exceptionType: "地点异常");
        world.WeCom.AddRecord(world.CorpId, "u-twice", MinutesAgo(4), "下班打卡");
        world.WeCom.AddRecord(world.CorpId, "u-twice", MinutesAgo(3), "外出打卡");

        await EventuallyAsync(async () => (await world.PunchesAsync(person)).Count == 3, "the three records are recorded");
        // Every later poll reads them again (they lie inside the overlap).
        await world.MorePollsAsync(4);

        var punches = await world.PunchesAsync(person);
        Assert.Equal(3, punches.Count);
        Assert.All(punches, p => Assert.Equal(SourceProvider.Wecom, p.SourceProvider));
        Assert.Equal([PunchType.In, PunchType.Out, PunchType.Raw], punches.Select(p => p.PunchType));
        var first = punches[0];
        Assert.Equal(clockIn, first.PunchTime.ToDateTimeOffset());
        Assert.Equal($"u-twice:{clockIn.ToUnixTimeSeconds()}:上班打卡", first.SourceEventId);
        using var payload = JsonDocument.Parse(first.PayloadJson);
        Assert.Equal("地点异常", payload.RootElement.GetProperty("exception_type").GetString()); // kept, not used
        Assert.Equal("总部", payload.RootElement.GetProperty("location_title").GetString());

        var status = await world.StatusAsync();
        Assert.Equal(0, status.Failures);
        Assert.NotNull(status.PolledUntil);
        Assert.True(status.LastWindowStart.ToDateTimeOffset() <= status.PolledUntil.ToDateTimeOffset() - WeComAppFixture.Overlap + TimeSpan.FromSeconds(5),
            "each window reaches an overlap back before the cursor");
    }

    [Fact]
    public async Task A_token_expiring_mid_poll_is_replaced_and_the_poll_completes_without_a_gap()
    {
        using var world = await PolledAsync(fixture);
        var person = await world.NewPersonAsync();
        // 150 users: two getcheckindata calls per poll (100 users each at most).
        var users = Enumerable.Range(1, 150).Select(i => $"u-roster-{i:D3}").ToList();
        await world.LinkManyAsync(users, person);
        var times = users.Select((_, i) => MinutesAgo(8).AddSeconds(i)).ToList();
        for (var i = 0; i < users.Count; i += 10) world.WeCom.AddRecord(world.CorpId, users[i], times[i]);
        var before = world.WeCom.Stats(world.CorpId);

        world.WeCom.ExpireTokensAfter(world.CorpId, calls: 1);
        await EventuallyAsync(async () => (await world.PunchesAsync(person)).Count == 15, "the records of both pages are recorded");

        var after = world.WeCom.Stats(world.CorpId);
        Assert.True(after.TokenRefusals > before.TokenRefusals, "WeCom refused the expired token at least once");
        Assert.True(after.TokensIssued > before.TokensIssued, "a new token was fetched");
        Assert.Equal(100, after.MostUsersInOneCall);
        Assert.Equal(0, after.RefusedRequests);
        Assert.Equal(0, (await world.StatusAsync()).Failures);
    }

    [Fact]
    public async Task Frequency_limit_45009_is_waited_out_and_the_poll_completes()
    {
        using var world = await PolledAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-busy", person);
        var before = world.WeCom.Stats(world.CorpId);
        world.WeCom.RateLimitNext(world.CorpId, 3);
        world.WeCom.AddRecord(world.CorpId, "u-busy", MinutesAgo(2), "上班打卡");

        await EventuallyAsync(async () => (await world.PunchesAsync(person)).Count == 1, "the record is recorded after the back-off");
        Assert.Equal(before.RateLimitedAnswers + 3, world.WeCom.Stats(world.CorpId).RateLimitedAnswers);
        Assert.Equal(0, (await world.StatusAsync()).Failures);
    }

    [Fact]
    public async Task A_late_record_inside_the_overlap_is_picked_up_once()
    {
        using var world = await PolledAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-late", person);
        var punchedAt = MinutesAgo(3);
        // WeCom shows it only from 4 s on: by then the cursor has moved past its time.
        world.WeCom.AddRecord(world.CorpId, "u-late", punchedAt, "下班打卡", visibleFrom: DateTimeOffset.UtcNow.AddSeconds(4));
        await world.MorePollsAsync(2);
        Assert.True((await world.StatusAsync()).PolledUntil.ToDateTimeOffset() > punchedAt, "the cursor is past the record's time");
        Assert.Empty(await world.PunchesAsync(person));

        await EventuallyAsync(async () => (await world.PunchesAsync(person)).Count == 1, "the late record is recorded");
        await world.MorePollsAsync(3);
        var punch = Assert.Single(await world.PunchesAsync(person));
        Assert.Equal(punchedAt, punch.PunchTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task No_punch_rows_are_not_punches()
    {
        using var world = await PolledAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-absent", person);
        world.WeCom.AddRecord(world.CorpId, "u-absent", MinutesAgo(6), "上班打卡", exceptionType: "未打卡");
        world.WeCom.AddRecord(world.CorpId, "u-absent", MinutesAgo(5), "下班打卡", exceptionType: "时间异常;未打卡");
        var real = MinutesAgo(4);
        world.WeCom.AddRecord(world.CorpId, "u-absent", real, "下班打卡", exceptionType: "时间异常");

        await EventuallyAsync(async () => (await world.PunchesAsync(person)).Count == 1, "the one real punch is recorded");
        await EventuallyAsync(async () => (await world.StatusAsync()).LastNoPunchRows == 2, "a window reports the two 未打卡 rows");
        await world.MorePollsAsync(2);
        var punch = Assert.Single(await world.PunchesAsync(person));
        Assert.Equal(real, punch.PunchTime.ToDateTimeOffset());
        Assert.Equal(0, (await world.StatusAsync()).ParkedPunches);
    }

    [Fact]
    public async Task An_unmapped_users_punches_are_parked_then_replayed_when_linked()
    {
        using var world = await PolledAsync(fixture);
        var formerly = await world.NewPersonAsync();
        var now = await world.NewPersonAsync();
        // On the roster (it was linked once) but without an active link: its punches have no person yet.
        await world.LinkAsync("u-moved", formerly);
        await world.UnlinkAsync("u-moved");
        var times = new[] { MinutesAgo(7), MinutesAgo(6), MinutesAgo(5) };
        foreach (var t in times) world.WeCom.AddRecord(world.CorpId, "u-moved", t, "外出打卡");

        await EventuallyAsync(async () => (await world.StatusAsync()).ParkedPunches == 3, "the three punches are parked");
        await world.MorePollsAsync(2);
        Assert.Equal(3, (await world.StatusAsync()).ParkedPunches); // read again, parked once
        var unmapped = await new IdentityMappingClient(world.Channel).ListUnmappedAsync(
            new ListUnmappedRequest { Provider = IdentityProvider.Wecom }, world.AsAdmin());
        Assert.Equal(3, Assert.Single(unmapped.Identities, u => u.ExternalUserId == "u-moved").ParkedPunchCount);
        Assert.Empty(await world.PunchesAsync(formerly));

        await world.LinkAsync("u-moved", now);
        await EventuallyAsync(async () => (await world.PunchesAsync(now)).Count == 3, "the parked punches are replayed into the ledger");
        await world.MorePollsAsync(2);
        Assert.Equal(3, (await world.PunchesAsync(now)).Count);
        var status = await world.StatusAsync();
        Assert.Equal(0, status.ParkedPunches);
        Assert.Equal(3, status.ReplayedPunches);
        Assert.Empty(await world.PunchesAsync(formerly));
    }

    [Fact]
    public async Task Two_tenants_never_see_each_others_punches_or_settings()
    {
        using var a = await PolledAsync(fixture);
        using var b = await PolledAsync(fixture);
        var personA = await a.NewPersonAsync();
        var personB = await b.NewPersonAsync();
        // The same WeCom user id in both corps.
        await a.LinkAsync("u-same", personA);
        await b.LinkAsync("u-same", personB);
        var ofA = MinutesAgo(9);
        a.WeCom.AddRecord(a.CorpId, "u-same", ofA, "上班打卡");
        b.WeCom.AddRecord(b.CorpId, "u-same", MinutesAgo(8), "上班打卡");
        b.WeCom.AddRecord(b.CorpId, "u-same", MinutesAgo(7), "下班打卡");

        await EventuallyAsync(async () => (await a.PunchesAsync(personA)).Count == 1 && (await b.PunchesAsync(personB)).Count == 2,
            "each tenant's punches are recorded");
        await a.MorePollsAsync(2);
        Assert.Equal(ofA, Assert.Single(await a.PunchesAsync(personA)).PunchTime.ToDateTimeOffset());
        Assert.Equal(2, (await b.PunchesAsync(personB)).Count);

        var settingsA = await new HrmsAttendance.Contracts.Integrations.WeCom.V1.WeComIntegration.WeComIntegrationClient(a.Channel)
            .GetSettingsAsync(new(), a.AsAdmin());
        Assert.Equal(a.CorpId, settingsA.CorpId);
        Assert.True(settingsA.CorpSecretSet);
        // A's admin reading B's person gets nothing of B's.
        var crossRead = new PunchLedgerClient(a.Channel).ListPunches(new ListPunchesRequest
        {
            PersonUuid = personB.ToString("D"),
            FromDate = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd"),
            ToDate = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd"),
        }, a.AsAdmin());
        var leaked = new List<Punch>();
        try { await foreach (var p in crossRead.ResponseStream.ReadAllAsync()) leaked.Add(p); }
        catch (RpcException) { /* refused outright is as good */ }
        Assert.Empty(leaked);
    }

    [Fact]
    public async Task Two_replicas_never_poll_one_tenant_at_once()
    {
        using var world = await PolledAsync(fixture);
        var person = await world.NewPersonAsync();
        // 250 linked ids: three getcheckindata calls a poll, each answered after 300 ms, so a poll lasts about a second,
        // while both replicas look for a due poll every half second and a poll is due every second.
        await world.LinkManyAsync(Enumerable.Range(0, 250).Select(i => $"u-once-{i:D3}"), person);
        world.WeCom.SlowDown(world.CorpId, TimeSpan.FromMilliseconds(300));
        var before = world.WeCom.Calls(world.CorpId).Count;
        var holders = new HashSet<string>();
        var polls = (await world.StatusAsync()).Polls;
        await EventuallyAsync(async () =>
        {
            var status = await world.StatusAsync();
            holders.Add(status.Holder);
            return status.Polls >= polls + 8;
        }, "8 more polls", within: TimeSpan.FromMinutes(2));

        // The fake's call log: one call at a time for the tenant's corp, never two in flight from two pollers.
        var calls = world.WeCom.Calls(world.CorpId).Skip(before).OrderBy(c => c.Received).ToList();
        // A poll already under way when the counts were taken finishes among the 8 with only its later calls counted.
        Assert.True(calls.Count >= 7 * 3, $"{calls.Count} calls in 8 polls");
        var answeredBefore = calls[0].Answered;
        foreach (var call in calls.Skip(1))
        {
            Assert.True(call.Received >= answeredBefore,
                $"a call for window {call.StartTime}..{call.EndTime} came at {call.Received:O}, while one that came before was answered only at {answeredBefore:O} (polls by replicas {string.Join(", ", holders)})");
            if (call.Answered > answeredBefore) answeredBefore = call.Answered;
        }
    }

    [Fact]
    public async Task Status_and_settings_are_for_the_tenants_admins_only()
    {
        using var world = await PolledAsync(fixture);
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        using var http = callers.Http();
        using (var anonymous = await http.SendAsync(TopologyCallers.Get("/api/integrations/wecom/status", null)))
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var employee = callers.Token(world.Tenant, HrmsAttendance.Tokens.AccessRoles.Employee, Guid.NewGuid());
        using (var forbidden = await http.SendAsync(TopologyCallers.Get("/api/integrations/wecom/status", employee)))
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var ok = await http.SendAsync(TopologyCallers.Get("/api/integrations/wecom/status", world.Admin));
        var body = await ok.Content.ReadAsStringAsync();
        Assert.True(ok.IsSuccessStatusCode, body);
        Assert.DoesNotContain(world.CorpSecret, body, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(world.CorpId, json.RootElement.GetProperty("settings").GetProperty("corp_id").GetString());
        Assert.True(json.RootElement.GetProperty("poll").GetProperty("last_success_at").ValueKind == JsonValueKind.String);
        using var unknownQuery = await http.SendAsync(TopologyCallers.Get("/api/integrations/wecom/status?x=1", world.Admin));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknownQuery.StatusCode);
    }
}
