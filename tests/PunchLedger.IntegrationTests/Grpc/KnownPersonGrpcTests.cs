using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tests.Shared;
using static HrmsAttendance.PunchLedger.IntegrationTests.Grpc.PunchLedgerServiceFixture;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// Punches only for persons that exist and are active in the caller's tenant (issue 15, found 3), over the service's gRPC
/// port: FAILED_PRECONDITION with STAFFING_PERSON_UNKNOWN / STAFFING_PERSON_INACTIVE naming the person, per punch in a
/// batch or a stream, nothing written; a retry of a recorded request_id stays a duplicate.
/// </summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class KnownPersonGrpcTests(PunchLedgerServiceFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset MondayNine = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly Guid tenant = Guid.NewGuid();
    private readonly Guid otherTenant = Guid.NewGuid();
    private Guid person;
    private Guid inactivePerson;
    private Guid personOfOtherTenant;

    public async Task InitializeAsync()
    {
        var persons = await fixture.NewPersonsAsync(tenant, 2);
        (person, inactivePerson) = (persons[0], persons[1]);
        await fixture.DeactivateAsync(tenant, inactivePerson);
        personOfOtherTenant = await fixture.NewPersonAsync(otherTenant);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static PunchInput Punch(Guid person, string? requestId = null, int minutes = 0, PunchType type = PunchType.In) => new()
    {
        PersonUuid = person.ToString(),
        PunchTime = Timestamp.FromDateTimeOffset(MondayNine.AddMinutes(minutes)),
        PunchType = type,
        SourceProvider = SourceProvider.Manual,
        RequestId = requestId ?? Guid.NewGuid().ToString(),
    };

    public static TheoryData<string, string> Refusals => new()
    {
        { "unknown", "STAFFING_PERSON_UNKNOWN" },
        { "another tenant's", "STAFFING_PERSON_UNKNOWN" },
        { "deactivated", "STAFFING_PERSON_INACTIVE" },
    };

    private Guid PersonOf(string kind) => kind switch
    {
        "unknown" => Guid.NewGuid(),
        "another tenant's" => personOfOtherTenant,
        "deactivated" => inactivePerson,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string ExpectedMessage(string code, Guid person, string requestId) => code switch
    {
        "STAFFING_PERSON_UNKNOWN" =>
            $"{code}: person_uuid {person} is not a person of this tenant; create the person in identity-mapping first (request_id {requestId} was not recorded)",
        _ =>
            $"{code}: person_uuid {person} is deactivated; reactivate the person in identity-mapping to record their punches (request_id {requestId} was not recorded)",
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task SubmitPunch_refuses_it_naming_the_person_and_writes_nothing(string kind, string code)
    {
        var refused = PersonOf(kind);
        var requestId = "早班-打卡 ✓ " + kind;

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Client.SubmitPunchAsync(new() { Punch = Punch(refused, requestId) }, For(tenant)));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal(ExpectedMessage(code, refused, requestId), e.Status.Detail);
        Assert.Equal((0L, 0L, 0L), await fixture.CountWritesAsync(tenant));
        Assert.Equal((0L, 0L, 0L), await fixture.CountWritesAsync(otherTenant));
    }

    [Fact]
    public async Task The_refusal_survives_the_raw_wire_with_its_unicode()
    {
        var stranger = Guid.NewGuid();
        var request = new SubmitPunchRequest { Punch = Punch(stranger, "员工-007: 50% 打卡") };
        var headers = TestAccessTokens.NodeMetadata(AccessTokens.Issue(tenant));

        var response = await GrpcProbes.PostFrameAsync(fixture.Service.GrpcEndpoint, "/attendance.ledger.v1.PunchLedger/SubmitPunch",
            request.ToByteArray(), headers);

        Assert.Equal(StatusCode.FailedPrecondition, response.Status);
        Assert.Equal(ExpectedMessage("STAFFING_PERSON_UNKNOWN", stranger, "员工-007: 50% 打卡"), response.Message);
    }

    [Fact]
    public async Task SubmitPunches_rejects_only_those_punches_naming_each_person()
    {
        PunchInput[] punches =
        [
            Punch(person, "ok-1"),
            Punch(PersonOf("unknown"), "batch-unknown"),
            Punch(personOfOtherTenant, "batch-other-tenant"),
            Punch(inactivePerson, "batch-inactive"),
            Punch(person, "ok-2", minutes: 540, PunchType.Out),
        ];

        var response = await fixture.Client.SubmitPunchesAsync(new() { Punches = { punches } }, For(tenant));

        AssertOutcomes(punches, response);
        await AssertOnlyTheAcceptedAreWrittenAsync();
    }

    [Fact]
    public async Task StreamPunches_rejects_only_those_punches_naming_each_person()
    {
        PunchInput[] punches =
        [
            Punch(PersonOf("unknown"), "stream-unknown"),
            Punch(person, "ok-1"),
            Punch(personOfOtherTenant, "stream-other-tenant"),
            Punch(inactivePerson, "stream-inactive"),
            Punch(person, "ok-2", minutes: 540, PunchType.Out),
        ];

        using var call = fixture.Client.StreamPunches(For(tenant));
        foreach (var punch in punches)
            await call.RequestStream.WriteAsync(punch);
        await call.RequestStream.CompleteAsync();

        AssertOutcomes(punches, await call.ResponseAsync);
        await AssertOnlyTheAcceptedAreWrittenAsync();
    }

    /// <summary>The two accepted punches (09:00 and 18:00 of one day) and nothing of the refused ones, in either tenant.</summary>
    private async Task AssertOnlyTheAcceptedAreWrittenAsync()
    {
        Assert.Equal(2, (await fixture.CountWritesAsync(tenant)).Events);
        Assert.Equal(2, await fixture.CountEventsAsync(tenant));
        Assert.Equal((0L, 0L, 0L), await fixture.CountWritesAsync(otherTenant));
        var day = await fixture.ReadDailyResultAsync(tenant, person, new DateOnly(2026, 3, 2));
        Assert.Equal(("PRESENT", 540), ((string)day!["status"]!, (int)day["worked_minutes"]!));
    }

    /// <summary>The punches of <see cref="person"/> are accepted; every other one is refused with its person's code.</summary>
    private void AssertOutcomes(PunchInput[] punches, SubmitPunchesResponse response)
    {
        Assert.Equal(punches.Length, response.Outcomes.Count);
        for (var i = 0; i < punches.Length; i++)
        {
            var outcome = response.Outcomes[i];
            Assert.Equal(i, outcome.Index);
            var sent = Guid.Parse(punches[i].PersonUuid);
            if (sent == person)
            {
                Assert.Equal(PunchOutcomeKind.Accepted, outcome.Outcome);
                continue;
            }
            var code = sent == inactivePerson ? "STAFFING_PERSON_INACTIVE" : "STAFFING_PERSON_UNKNOWN";
            Assert.Equal((PunchOutcomeKind.Rejected, code, ""), (outcome.Outcome, outcome.ErrorCode, outcome.EventId));
            Assert.Equal(ExpectedMessage(code, sent, punches[i].RequestId), $"{code}: {outcome.ErrorMessage}");
        }
        Assert.Equal((2, 0, 3), (response.AcceptedCount, response.DuplicateCount, response.RejectedCount));
    }

    [Fact]
    public async Task A_retry_of_a_punch_recorded_before_the_deactivation_is_still_a_duplicate()
    {
        var leaver = await fixture.NewPersonAsync(tenant);
        var punch = Punch(leaver, "recorded-before-leaving");
        var first = await fixture.Client.SubmitPunchAsync(new() { Punch = punch }, For(tenant));
        await fixture.DeactivateAsync(tenant, leaver);
        var before = await fixture.CountWritesAsync(tenant);

        var retry = await fixture.Client.SubmitPunchAsync(new() { Punch = punch }, For(tenant));
        var batchRetry = await fixture.Client.SubmitPunchesAsync(new() { Punches = { punch } }, For(tenant));
        using var stream = fixture.Client.StreamPunches(For(tenant));
        await stream.RequestStream.WriteAsync(punch);
        await stream.RequestStream.CompleteAsync();
        var streamRetry = await stream.ResponseAsync;

        Assert.Equal((true, first.EventId), (retry.Duplicate, retry.EventId));
        Assert.Equal((PunchOutcomeKind.Duplicate, first.EventId), (batchRetry.Outcomes[0].Outcome, batchRetry.Outcomes[0].EventId));
        Assert.Equal((PunchOutcomeKind.Duplicate, first.EventId), (streamRetry.Outcomes[0].Outcome, streamRetry.Outcomes[0].EventId));
        Assert.Equal(before, await fixture.CountWritesAsync(tenant));
    }
}
