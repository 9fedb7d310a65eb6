using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Contracts.Ledger.V1;
using Grpc.Core;
using HrmsAttendance.Interop;
using HrmsAttendance.Tests.Shared;
using static HrmsAttendance.PunchLedger.IntegrationTests.Grpc.PunchLedgerServiceFixture;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// <c>StreamPunches</c>: a client-streamed upload committed through the batch door in chunks of
/// 1,000, with one outcome per punch indexed by its position in the stream.
/// </summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class StreamPunchesTests(PunchLedgerServiceFixture fixture)
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private readonly Guid tenant = Guid.NewGuid();

    private static PunchInput Punch(Guid person, DateTimeOffset at, PunchType type, string requestId) => new()
    {
        PersonUuid = person.ToString(),
        PunchTime = Timestamp.FromDateTimeOffset(at),
        PunchType = type,
        SourceProvider = SourceProvider.Manual,
        RequestId = requestId,
    };

    private async Task<SubmitPunchesResponse> StreamAsync(IEnumerable<PunchInput> punches)
    {
        using var call = fixture.Client.StreamPunches(For(tenant, DateTime.UtcNow.AddSeconds(120)));
        foreach (var punch in punches)
            await call.RequestStream.WriteAsync(punch);
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    /// <summary>1,250 IN/OUT pairs (09:00 and 18:00) over 50 people and 25 days of September 2026.</summary>
    private static List<PunchInput> Pairs(Guid[] people, string prefix)
    {
        var punches = new List<PunchInput>(2500);
        for (var k = 0; k < 1250; k++)
        {
            var person = people[k % people.Length];
            var day = new DateTimeOffset(2026, 9, 1, 0, 0, 0, Shanghai).AddDays(k / people.Length);
            punches.Add(Punch(person, day.AddHours(9), PunchType.In, $"{prefix}-{2 * k}"));
            punches.Add(Punch(person, day.AddHours(18), PunchType.Out, $"{prefix}-{2 * k + 1}"));
        }
        return punches;
    }

    [Fact]
    public async Task Thousands_of_punches_are_committed_in_chunks_with_an_outcome_per_position()
    {
        var people = await fixture.NewPersonsAsync(tenant, 50);
        var punches = Pairs(people, "s");
        // Invalid punches on both sides of the first chunk boundary and at the very end.
        punches[5].PersonUuid = "nope";
        punches[999].PunchType = PunchType.Unspecified;
        punches[1000].RequestId = "";
        punches[2499].PayloadJson = "[1]";
        // The same punch again, in the second chunk: a duplicate of position 0.
        punches[1001] = punches[0].Clone();

        var response = await StreamAsync(punches);

        Assert.Equal(Enumerable.Range(0, 2500), response.Outcomes.Select(o => o.Index));
        int[] rejected = [5, 999, 1000, 2499];
        foreach (var i in rejected)
        {
            Assert.Equal(PunchOutcomeKind.Rejected, response.Outcomes[i].Outcome);
            Assert.Equal("STAFFING_INVALID_ARGUMENT", response.Outcomes[i].ErrorCode);
            Assert.Empty(response.Outcomes[i].EventId);
        }
        Assert.Equal(PunchOutcomeKind.Duplicate, response.Outcomes[1001].Outcome);
        Assert.Equal(response.Outcomes[0].EventId, response.Outcomes[1001].EventId);
        Assert.All(response.Outcomes.Where(o => o.Index != 1001 && !rejected.Contains(o.Index)),
            o => Assert.Equal(PunchOutcomeKind.Accepted, o.Outcome));
        Assert.Equal(2495, response.Outcomes.Select(o => o.EventId).Where(id => id != "").Distinct().Count());
        Assert.Equal((2495, 1, 4), (response.AcceptedCount, response.DuplicateCount, response.RejectedCount));
        Assert.Equal(2495, await fixture.CountEventsAsync(tenant));

        // Pair 10 (positions 20, 21): people[10] on 2026-09-01, 09:00 → 18:00.
        var result = await fixture.ReadDailyResultAsync(tenant, people[10], new DateOnly(2026, 9, 1));
        Assert.Equal("PRESENT", result!["status"]);
        Assert.Equal(540, result["worked_minutes"]);
        // A pair in the last chunk (1240: positions 2480, 2481): people[40] on 2026-09-25.
        var last = await fixture.ReadDailyResultAsync(tenant, people[40], new DateOnly(2026, 9, 25));
        Assert.Equal("PRESENT", last!["status"]);
    }

    [Fact]
    public async Task Retrying_a_stream_with_the_same_request_ids_records_nothing_twice()
    {
        var person = await fixture.NewPersonAsync(tenant);
        var day = new DateTimeOffset(2026, 10, 5, 0, 0, 0, Shanghai);
        PunchInput[] punches =
        [
            Punch(person, day.AddHours(9), PunchType.In, "r-1"),
            Punch(person, day.AddHours(18), PunchType.Out, "r-2"),
        ];

        var first = await StreamAsync(punches);
        var retry = await StreamAsync(punches);

        Assert.Equal((2, 0, 0), (first.AcceptedCount, first.DuplicateCount, first.RejectedCount));
        Assert.Equal((0, 2, 0), (retry.AcceptedCount, retry.DuplicateCount, retry.RejectedCount));
        Assert.Equal(first.Outcomes.Select(o => o.EventId), retry.Outcomes.Select(o => o.EventId));
        Assert.Equal(2, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task An_empty_stream_gets_an_empty_response()
    {
        var response = await StreamAsync([]);

        Assert.Empty(response.Outcomes);
        Assert.Equal((0, 0, 0), (response.AcceptedCount, response.DuplicateCount, response.RejectedCount));
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task A_stream_without_a_token_is_refused()
    {
        using var call = fixture.Client.StreamPunches(new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(Punch(Guid.NewGuid(), DateTimeOffset.UtcNow.AddDays(-1), PunchType.In, "x"));
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.StartsWith("STAFFING_UNAUTHENTICATED: ", e.Status.Detail);
    }

    [Fact]
    public async Task A_grpc_js_client_streams_punches()
    {
        var person = (await fixture.NewPersonAsync(tenant)).ToString();
        var nine = new DateTimeOffset(2026, 10, 6, 9, 0, 0, Shanghai).ToUnixTimeSeconds();
        object PunchJson(long seconds, string type, string requestId, string? personUuid = null) => new
        {
            person_uuid = personUuid ?? person,
            punch_time = new { seconds = seconds.ToString(), nanos = 0 },
            punch_type = type,
            source_provider = "SOURCE_PROVIDER_MANUAL",
            request_id = requestId,
        };
        var request = JsonSerializer.Serialize(new[]
        {
            PunchJson(nine, "PUNCH_TYPE_IN", "js-s-1"),
            PunchJson(nine + 3600, "PUNCH_TYPE_OUT", "js-s-2", personUuid: "not-a-uuid"),
            PunchJson(nine + 9 * 3600, "PUNCH_TYPE_OUT", "js-s-3"),
        });

        var result = await NodeInterop.CallAsync(new NodeCall(
            Path.Combine(NodeInterop.RepoRoot, "contracts/protos/attendance/ledger/v1/punch_ledger.proto"),
            $"127.0.0.1:{fixture.Service.GrpcEndpoint!.Port}",
            "attendance.ledger.v1.PunchLedger/StreamPunches",
            request)
        {
            IncludeDirs = [Path.Combine(NodeInterop.RepoRoot, "contracts/protos")],
            Metadata = TestAccessTokens.NodeMetadata(PunchLedgerServiceFixture.AccessTokens.Issue(tenant, subject: "grpc-js")),
            DeadlineMs = 20_000,
        });

        Assert.Equal("OK", result.Status.Name);
        var reply = result.Messages.Single();
        var outcomes = reply.GetProperty("outcomes").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], outcomes.Select(o => o.GetProperty("index").GetInt32()));
        Assert.Equal(["PUNCH_OUTCOME_KIND_ACCEPTED", "PUNCH_OUTCOME_KIND_REJECTED", "PUNCH_OUTCOME_KIND_ACCEPTED"],
            outcomes.Select(o => o.GetProperty("outcome").GetString()));
        Assert.Equal("STAFFING_INVALID_ARGUMENT", outcomes[1].GetProperty("error_code").GetString());
        Assert.Equal(2, reply.GetProperty("accepted_count").GetInt32());
        Assert.Equal(1, reply.GetProperty("rejected_count").GetInt32());
        Assert.Equal(2, await fixture.CountEventsAsync(tenant));

        var result2 = await fixture.ReadDailyResultAsync(tenant, Guid.Parse(person), new DateOnly(2026, 10, 6));
        Assert.Equal("PRESENT", result2!["status"]);
    }
}
