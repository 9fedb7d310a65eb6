using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Contracts.Ledger.V1;
using Grpc.Core;
using static HrmsAttendance.PunchLedger.IntegrationTests.Grpc.PunchLedgerServiceFixture;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>The punch-ledger over its real gRPC port: validation, tenancy, idempotency, read-after-write.</summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class PunchLedgerGrpcTests(PunchLedgerServiceFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private readonly Guid tenant = Guid.NewGuid();
    private Guid person;

    /// <summary>A person of the tenant: the ledger records punches of registered, active persons only.</summary>
    public async Task InitializeAsync() => person = await fixture.NewPersonAsync(tenant);

    public Task DisposeAsync() => Task.CompletedTask;

    private static PunchInput Punch(Guid person, DateTimeOffset at, PunchType type, string? requestId = null) => new()
    {
        PersonUuid = person.ToString(),
        PunchTime = Timestamp.FromDateTimeOffset(at),
        PunchType = type,
        SourceProvider = SourceProvider.Manual,
        RequestId = requestId ?? Guid.NewGuid().ToString(),
    };

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute) =>
        new(year, month, day, hour, minute, 0, Shanghai);

    [Fact]
    public async Task A_punch_pair_is_visible_in_the_daily_result_as_soon_as_the_call_returns()
    {
        var @in = await fixture.Client.SubmitPunchAsync(new() { Punch = Punch(person, Local(2026, 3, 2, 9, 12), PunchType.In) }, For(tenant));
        Assert.False(@in.Duplicate);
        Assert.Equal(["2026-03-01", "2026-03-02"], @in.AffectedWorkDates);

        await fixture.Client.SubmitPunchAsync(new() { Punch = Punch(person, Local(2026, 3, 3, 1, 30), PunchType.Out) }, For(tenant));

        var result = await fixture.ReadDailyResultAsync(tenant, person, new DateOnly(2026, 3, 2));
        Assert.NotNull(result);
        Assert.Equal("EXCEPTION", result["status"]);
        Assert.Equal(new[] { "LATE" }, (string[])result["flags"]!);
        Assert.Equal(7, result["late_minutes"]);           // 09:12 is 12 minutes late, 5 tolerated
        Assert.Equal(16 * 60 + 18, result["worked_minutes"]); // 09:12 → next day 01:30 (cross-day OUT)
    }

    [Fact]
    public async Task ListPunches_streams_the_persons_punches_in_time_order()
    {
        var times = new[] { Local(2026, 4, 1, 18, 3), Local(2026, 4, 1, 8, 58), Local(2026, 4, 2, 9, 0) };
        foreach (var (t, i) in times.Select((t, i) => (t, i)))
            await fixture.Client.SubmitPunchAsync(new() { Punch = Punch(person, t, i == 0 ? PunchType.Out : PunchType.In) }, For(tenant));

        using var call = fixture.Client.ListPunches(new() { PersonUuid = person.ToString(), FromDate = "2026-04-01", ToDate = "2026-04-01" }, For(tenant));
        var listed = new List<Punch>();
        await foreach (var p in call.ResponseStream.ReadAllAsync()) listed.Add(p);

        Assert.Equal([Local(2026, 4, 1, 8, 58), Local(2026, 4, 1, 18, 3)], listed.Select(p => p.PunchTime.ToDateTimeOffset().ToOffset(Shanghai)));
        Assert.All(listed, p => Assert.Equal("test-user", p.InitiatorId));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task The_same_request_id_ten_times_records_one_event()
    {
        var punch = Punch(person, Local(2026, 5, 4, 9, 0), PunchType.In, requestId: "retry-me");
        var responses = new List<SubmitPunchResponse>();
        for (var i = 0; i < 10; i++)
            responses.Add(await fixture.Client.SubmitPunchAsync(new() { Punch = punch }, For(tenant)));

        Assert.Single(responses.Select(r => r.EventId).Distinct());
        Assert.Equal(9, responses.Count(r => r.Duplicate));
        Assert.Equal(1, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task A_reused_request_id_with_other_fields_is_a_conflict_and_writes_nothing()
    {
        await fixture.Client.SubmitPunchAsync(new() { Punch = Punch(person, Local(2026, 5, 5, 9, 0), PunchType.In, "once") }, For(tenant));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.SubmitPunchAsync(
            new() { Punch = Punch(person, Local(2026, 5, 5, 9, 1), PunchType.In, "once") }, For(tenant)));

        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.StartsWith("STAFFING_IDEMPOTENCY_CONFLICT: ", e.Status.Detail);
        // The kernel's own explanation reaches the caller, not a driver's redaction notice.
        Assert.Contains("once", e.Status.Detail);
        Assert.DoesNotContain("redacted", e.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task A_call_without_a_token_is_refused()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.SubmitPunchAsync(
            new() { Punch = Punch(person, Local(2026, 5, 6, 9, 0), PunchType.In) },
            new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10))));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.StartsWith("STAFFING_UNAUTHENTICATED: ", e.Status.Detail);
    }

    [Theory]
    [InlineData("person", "STAFFING_INVALID_ARGUMENT: person_uuid must be a canonical UUID, got '张三'")]
    [InlineData("type", "STAFFING_INVALID_ARGUMENT: punch_type must be IN, OUT or RAW")]
    [InlineData("request", "STAFFING_INVALID_ARGUMENT: request_id is required (the idempotency key of this punch)")]
    [InlineData("payload", "STAFFING_INVALID_ARGUMENT: payload_json must be a JSON object")]
    [InlineData("dingtalk", "STAFFING_INVALID_ARGUMENT: source_event_id is required for DINGTALK punches")]
    public async Task Bad_input_gets_a_stable_code_and_changes_nothing(string field, string expected)
    {
        var punch = Punch(person, Local(2026, 5, 7, 9, 0), PunchType.In);
        switch (field)
        {
            case "person": punch.PersonUuid = "张三"; break;
            case "type": punch.PunchType = PunchType.Unspecified; break;
            case "request": punch.RequestId = ""; break;
            case "payload": punch.PayloadJson = "[1,2]"; break;
            case "dingtalk": punch.SourceProvider = SourceProvider.Dingtalk; break;
        }

        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.SubmitPunchAsync(new() { Punch = punch }, For(tenant)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(expected, e.Status.Detail);
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task A_batch_reports_each_punch_and_a_bad_one_does_not_sink_the_rest()
    {
        var good = Punch(person, Local(2026, 6, 1, 9, 0), PunchType.In, "b-1");
        var bad = Punch(person, Local(2026, 6, 1, 12, 0), PunchType.In, "b-2");
        bad.PersonUuid = "nope";
        var again = Punch(person, Local(2026, 6, 1, 9, 0), PunchType.In, "b-1");
        var conflicting = Punch(person, Local(2026, 6, 1, 18, 0), PunchType.Out, "b-1");
        var other = Punch(person, Local(2026, 6, 1, 18, 0), PunchType.Out, "b-3");

        var response = await fixture.Client.SubmitPunchesAsync(new() { Punches = { good, bad, again, conflicting, other } }, For(tenant));

        Assert.Equal(
            [PunchOutcomeKind.Accepted, PunchOutcomeKind.Rejected, PunchOutcomeKind.Duplicate, PunchOutcomeKind.Rejected, PunchOutcomeKind.Accepted],
            response.Outcomes.Select(o => o.Outcome));
        Assert.Equal([0, 1, 2, 3, 4], response.Outcomes.Select(o => o.Index));
        Assert.Equal("STAFFING_INVALID_ARGUMENT", response.Outcomes[1].ErrorCode);
        Assert.Equal("STAFFING_IDEMPOTENCY_CONFLICT", response.Outcomes[3].ErrorCode);
        Assert.Equal(response.Outcomes[0].EventId, response.Outcomes[2].EventId);
        Assert.Equal((2, 1, 2), (response.AcceptedCount, response.DuplicateCount, response.RejectedCount));
        Assert.Equal(2, await fixture.CountEventsAsync(tenant));

        var result = await fixture.ReadDailyResultAsync(tenant, person, new DateOnly(2026, 6, 1));
        Assert.Equal("PRESENT", result!["status"]);
        Assert.Equal(540, result["worked_minutes"]);
    }

    [Fact]
    public async Task A_batch_over_one_thousand_punches_is_refused_whole()
    {
        var request = new SubmitPunchesRequest();
        for (var i = 0; i < 1001; i++)
            request.Punches.Add(Punch(person, Local(2026, 6, 2, 9, 0).AddSeconds(i), PunchType.Raw));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.SubmitPunchesAsync(request, For(tenant)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("STAFFING_INVALID_ARGUMENT", e.Status.Detail);
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task Tenant_B_does_not_see_tenant_As_punches()
    {
        await fixture.Client.SubmitPunchAsync(new() { Punch = Punch(person, Local(2026, 7, 1, 9, 0), PunchType.In) }, For(tenant));

        using var call = fixture.Client.ListPunches(new() { PersonUuid = person.ToString(), FromDate = "2026-07-01", ToDate = "2026-07-01" }, For(Guid.NewGuid()));
        var listed = new List<Punch>();
        await foreach (var p in call.ResponseStream.ReadAllAsync()) listed.Add(p);

        Assert.Empty(listed);
    }

    [Fact]
    public async Task ListPunches_refuses_a_reversed_range()
    {
        using var call = fixture.Client.ListPunches(new() { PersonUuid = person.ToString(), FromDate = "2026-07-02", ToDate = "2026-07-01" }, For(tenant));

        var e = await Assert.ThrowsAsync<RpcException>(async () => { await foreach (var _ in call.ResponseStream.ReadAllAsync()) { } });

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("STAFFING_INVALID_ARGUMENT: to_date is before from_date", e.Status.Detail);
    }

    [Fact]
    public async Task Health_answers_on_http_and_on_grpc()
    {
        using var http = new HttpClient();
        var health = await http.GetAsync(new Uri(fixture.Service.HttpEndpoint, "/health"));
        Assert.True(health.IsSuccessStatusCode);
        Assert.Contains("\"PostgreSql\":{\"status\":\"Healthy\"", await health.Content.ReadAsStringAsync()); // Aspire.Npgsql's check
    }
}
