using System.Net;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.DailyResults.Data;

namespace HrmsAttendance.DailyResults.IntegrationTests;

/// <summary>
/// The change feed behind WatchDailyResults and <c>GET /api/daily-results/changes</c>: changes stored as the bus consumer
/// stores them (<c>ChangeFeedStore</c> over <c>results.record_daily_result_changes</c>, as daily_results_app), streamed in order after a resume
/// point, filtered, per tenant; a redelivery stores nothing; bad requests and pruned resume points are refused.
/// </summary>
[Collection(DailyResultsServiceCollection.Name)]
public sealed class ChangeFeedTests(DailyResultsServiceFixture fixture)
{
    private static readonly DateOnly Day = new(2026, 5, 11);

    private ChangeFeedStore Store => new(fixture.Reader);

    private static DailyResultChanged Change(Guid tenant, Guid person, DateOnly day, string status = "EXCEPTION", Guid? messageId = null,
        params string[] flags) => new()
    {
        MessageId = messageId ?? Guid.NewGuid(), TenantId = tenant, OccurredAt = DateTimeOffset.UtcNow, Sequence = 1, Position = 0,
        PersonUuid = person, WorkDate = day, Status = status, Flags = flags, InputPunchCount = 1, InputMaxPunchEventSequence = 42,
    };

    /// <summary>Stores a change as the consumer does; its sequence, or null for a message stored before.</summary>
    private async Task<long?> RecordAsync(Guid tenant, Guid person, DateOnly day, string status = "EXCEPTION", Guid? messageId = null,
        params string[] flags)
    {
        var change = Change(tenant, person, day, status, messageId, flags);
        return (await Store.RecordAsync([change], CancellationToken.None)).TryGetValue(change.MessageId, out var sequence) ? sequence : null;
    }

    [Fact]
    public async Task A_batch_of_several_tenants_is_stored_once_per_message_in_arrival_order_per_tenant_and_each_tenant_sees_only_its_own()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var person = Guid.NewGuid();
        var stored = Change(first, person, Day);
        Assert.NotNull(await RecordAsync(first, person, Day, messageId: stored.MessageId));
        var batch = new[]
        {
            Change(first, person, Day.AddDays(2)), Change(second, person, Day), stored, Change(first, person, Day.AddDays(1), "PRESENT"),
        };
        var repeated = batch[3];

        var sequences = await Store.RecordAsync([.. batch, repeated], CancellationToken.None);

        // The message stored before is not stored again; the one repeated in the batch is stored once.
        Assert.Equal(new[] { batch[0].MessageId, batch[1].MessageId, batch[3].MessageId }.Order(), sequences.Keys.Order());
        Assert.True(sequences[batch[0].MessageId] < sequences[batch[3].MessageId]); // arrival order within a tenant
        var all = new ChangeFilter(null, null, null);
        var firstTenant = await Store.ReadAfterAsync(first, 0, all, 100, CancellationToken.None);
        Assert.Equal([Day, Day.AddDays(2), Day.AddDays(1)], firstTenant.Select(c => c.WorkDate));
        Assert.Equal([Day], (await Store.ReadAfterAsync(second, 0, all, 100, CancellationToken.None)).Select(c => c.WorkDate));
    }

    private static async Task<List<DailyResultChange>> TakeAsync(IAsyncStreamReader<DailyResultChange> stream, int count, CancellationToken ct)
    {
        var changes = new List<DailyResultChange>();
        while (changes.Count < count && await stream.MoveNext(ct))
            changes.Add(stream.Current);
        return changes;
    }

    [Fact]
    public async Task A_watch_resumed_after_a_sequence_gets_the_later_changes_in_order_and_then_new_ones_live()
    {
        var tenant = Guid.NewGuid();
        var person = Guid.NewGuid();
        var first = (await RecordAsync(tenant, person, Day, flags: ["LATE", "MISSING_OUT"]))!.Value;
        var second = (await RecordAsync(tenant, person, Day.AddDays(1), "ABSENT", flags: ["ABSENT"]))!.Value;
        Assert.True(second > first);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = fixture.Client.WatchDailyResults(new WatchDailyResultsRequest { ResumeAfter = first - 1 },
            DailyResultsServiceFixture.For(tenant).WithCancellationToken(timeout.Token));
        var replayed = await TakeAsync(call.ResponseStream, 2, timeout.Token);
        Assert.Equal([first, second], replayed.Select(c => c.ChangeSequence));
        Assert.Equal(person.ToString(), replayed[0].PersonUuid);
        Assert.Equal("2026-05-11", replayed[0].WorkDate);
        Assert.Equal(DailyStatus.Exception, replayed[0].Status);
        Assert.Equal([DailyFlag.Late, DailyFlag.MissingOut], replayed[0].Flags); // sorted by name
        Assert.Equal(42, replayed[0].InputMaxPunchEventSequence);

        // Stored by "another replica" (not this process's consumer): the watch finds it by its poll.
        var third = (await RecordAsync(tenant, person, Day.AddDays(2)))!.Value;
        var live = await TakeAsync(call.ResponseStream, 1, timeout.Token);
        Assert.Equal(third, Assert.Single(live).ChangeSequence);
    }

    [Fact]
    public async Task A_redelivered_message_stores_nothing_and_a_watch_from_now_sees_only_new_changes_of_its_filter_and_tenant()
    {
        var tenant = Guid.NewGuid();
        var person = Guid.NewGuid();
        var message = Guid.NewGuid();
        Assert.NotNull(await RecordAsync(tenant, person, Day, messageId: message));
        Assert.Null(await RecordAsync(tenant, person, Day, messageId: message));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = fixture.Client.WatchDailyResults(
            new WatchDailyResultsRequest { PersonUuid = person.ToString(), FromDate = "2026-05-12", ToDate = "2026-05-12" },
            DailyResultsServiceFixture.For(tenant).WithCancellationToken(timeout.Token));
        await call.ResponseHeadersAsync;
        await RecordAsync(tenant, person, Day);                   // before the range
        await RecordAsync(tenant, Guid.NewGuid(), Day.AddDays(1)); // another person
        await RecordAsync(Guid.NewGuid(), person, Day.AddDays(1)); // another tenant
        var wanted = await RecordAsync(tenant, person, Day.AddDays(1));
        var changes = await TakeAsync(call.ResponseStream, 1, timeout.Token);
        Assert.Equal(wanted, Assert.Single(changes).ChangeSequence);
    }

    [Theory]
    [InlineData("not-a-uuid", "", "", "person_uuid must be a canonical UUID")]
    [InlineData("", "2026-05-12", "2026-05-11", "to_date 2026-05-11 is before from_date 2026-05-12")]
    [InlineData("", "2026-02-30", "", "from_date")]
    public async Task A_bad_watch_request_is_INVALID_ARGUMENT_naming_the_field(string person, string from, string to, string detail)
    {
        using var call = fixture.Client.WatchDailyResults(new WatchDailyResultsRequest { PersonUuid = person, FromDate = from, ToDate = to },
            DailyResultsServiceFixture.For(Guid.NewGuid()));
        var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("RESULTS_INVALID_ARGUMENT", refused.Status.Detail);
        Assert.Contains(detail, refused.Status.Detail);
    }

    [Fact]
    public async Task Resuming_before_what_the_feed_still_keeps_is_FAILED_PRECONDITION_RESULTS_CHANGES_EXPIRED()
    {
        var tenant = Guid.NewGuid();
        var sequence = (await RecordAsync(tenant, Guid.NewGuid(), Day))!.Value;
        await using (var prune = fixture.Owner.CreateCommand("SELECT results.prune_daily_result_changes(now() + interval '1 minute', 1000000)"))
            Assert.True((int)(await prune.ExecuteScalarAsync())! >= 1);

        using var call = fixture.Client.WatchDailyResults(new WatchDailyResultsRequest { ResumeAfter = sequence - 1 },
            DailyResultsServiceFixture.For(tenant));
        var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith("RESULTS_CHANGES_EXPIRED", refused.Status.Detail);

        using var http = await fixture.Http.SendAsync(DailyResultsServiceFixture.Get($"/api/daily-results/changes?resume_after={sequence - 1}", tenant));
        Assert.Equal(HttpStatusCode.Gone, http.StatusCode);
        Assert.Contains("RESULTS_CHANGES_EXPIRED", await http.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_SSE_route_streams_changes_with_their_sequence_as_event_id_and_resumes_after_Last_Event_ID()
    {
        var tenant = Guid.NewGuid();
        var person = Guid.NewGuid();
        var first = (await RecordAsync(tenant, person, Day))!.Value;
        var second = (await RecordAsync(tenant, person, Day.AddDays(1), "PRESENT"))!.Value;

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = DailyResultsServiceFixture.Get($"/api/daily-results/changes?person_uuid={person}", tenant);
        request.Headers.Add("Last-Event-ID", first.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var item = await System.Net.ServerSentEvents.SseParser.Create(body).EnumerateAsync(timeout.Token)
            .FirstAsync(e => e.EventType == "daily-result-changed", timeout.Token);
        Assert.Equal(second.ToString(System.Globalization.CultureInfo.InvariantCulture), item.EventId);
        using var data = JsonDocument.Parse(item.Data);
        Assert.Equal("PRESENT", data.RootElement.GetProperty("status").GetString());
        Assert.Equal("2026-05-12", data.RootElement.GetProperty("work_date").GetString());
        Assert.Equal(second, data.RootElement.GetProperty("change_sequence").GetInt64());
    }

    [Fact]
    public async Task The_SSE_route_opens_with_a_heartbeat_so_a_caller_knows_its_stream_is_open_before_the_first_change()
    {
        // No change for this tenant: without the opening heartbeat the headers would wait for the first idle heartbeat.
        using var timeout = new CancellationTokenSource(HrmsAttendance.DailyResults.Http.DailyResultsApi.HeartbeatInterval / 2);
        using var response = await fixture.Http.SendAsync(DailyResultsServiceFixture.Get("/api/daily-results/changes", Guid.NewGuid()),
            HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var first = await System.Net.ServerSentEvents.SseParser.Create(body).EnumerateAsync(timeout.Token).FirstAsync(timeout.Token);
        Assert.Equal("heartbeat", first.EventType);
    }

    [Theory]
    [InlineData("?limit=5", "limit")]
    [InlineData("?resume_after=-1", "resume_after")]
    [InlineData("?person_uuid=x", "person_uuid")]
    public async Task A_bad_SSE_request_is_400_with_the_stable_code(string query, string named)
    {
        using var response = await fixture.Http.SendAsync(DailyResultsServiceFixture.Get("/api/daily-results/changes" + query, Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("RESULTS_INVALID_ARGUMENT", body);
        Assert.Contains(named, body);
    }
}
