using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tests.Shared;
using static HrmsAttendance.PunchLedger.IntegrationTests.Grpc.PunchLedgerServiceFixture;
using static HrmsAttendance.Tests.Shared.RawProtobuf;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// Values the database or .NET cannot take (U+0000, numbers beyond jsonb, instants beyond year 9999, dates at the ends of
/// the calendar) and bytes that are not the contract's message: each is INVALID_ARGUMENT with STAFFING_INVALID_ARGUMENT
/// and the field's name, before any database work, and nothing is written. Found by the 2026-12-02 attack (issue 15):
/// they ended as INTERNAL ("database error 22021") or UNKNOWN.
/// </summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class HostileValueTests(PunchLedgerServiceFixture fixture) : IAsyncLifetime
{
    private const string Code = "STAFFING_INVALID_ARGUMENT";
    private const string SubmitPunchPath = "/attendance.ledger.v1.PunchLedger/SubmitPunch";
    private static readonly DateTimeOffset MondayNine = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly Guid tenant = Guid.NewGuid();
    private Guid person;

    /// <summary>A person of the tenant: the ledger records punches of registered, active persons only.</summary>
    public async Task InitializeAsync() => person = await fixture.NewPersonAsync(tenant);

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// A valid punch of <paramref name="person"/>; without one, of a uuid no tenant knows, which is enough for a punch the
    /// service refuses before the database.
    /// </summary>
    private static PunchInput ValidPunch(Guid? person = null) => new()
    {
        PersonUuid = (person ?? Guid.NewGuid()).ToString(),
        PunchTime = Timestamp.FromDateTimeOffset(MondayNine),
        PunchType = PunchType.In,
        SourceProvider = SourceProvider.Manual,
        RequestId = Guid.NewGuid().ToString(),
    };

    /// <summary>Each spoils one field of an otherwise valid punch; the refusal must name that field.</summary>
    private static readonly Dictionary<string, (string Field, Action<PunchInput> Spoil)> Spoilers = new()
    {
        ["NUL in request_id"] = ("request_id", p => p.RequestId = "r\0-1"),
        ["NUL in source_event_id"] = ("source_event_id", p => p.SourceEventId = "evt\0"),
        ["C1 control in request_id"] = ("request_id", p => p.RequestId = "r\u0085"),
        ["escaped NUL in a payload value"] = ("payload_json", p => p.PayloadJson = """{"a":"\u0000"}"""),
        ["escaped NUL in a payload key"] = ("payload_json", p => p.PayloadJson = """{"\u0000":1}"""),
        ["escaped unpaired surrogate in the payload"] = ("payload_json", p => p.PayloadJson = """{"a":"\ud800"}"""),
        ["payload number beyond jsonb"] = ("payload_json", p => p.PayloadJson = """{"a":1e1000000}"""),
        ["payload zero with a scale beyond jsonb"] = ("payload_json", p => p.PayloadJson = """{"a":-0.0000e-99999}"""),
        ["person_uuid with a trailing space"] = ("person_uuid", p => p.PersonUuid += " "),
        ["person_uuid with a leading tab"] = ("person_uuid", p => p.PersonUuid = "\t" + p.PersonUuid),
        ["punch_time 10^15 seconds"] = ("punch_time", p => p.PunchTime = new Timestamp { Seconds = 1_000_000_000_000_000 }),
        ["punch_time -10^15 seconds"] = ("punch_time", p => p.PunchTime = new Timestamp { Seconds = -1_000_000_000_000_000 }),
        ["punch_time int64 max"] = ("punch_time", p => p.PunchTime = new Timestamp { Seconds = long.MaxValue }),
        ["punch_time int64 min"] = ("punch_time", p => p.PunchTime = new Timestamp { Seconds = long.MinValue }),
        ["punch_time one second after 9999"] = ("punch_time", p => p.PunchTime = new Timestamp { Seconds = 253_402_300_800 }),
        ["punch_time nanos -1"] = ("punch_time", p => p.PunchTime.Nanos = -1),
    };

    public static TheoryData<string> SpoiledPunches => [.. Spoilers.Keys];

    private static PunchInput Spoiled(string name)
    {
        var punch = ValidPunch();
        Spoilers[name].Spoil(punch);
        return punch;
    }

    [Theory]
    [MemberData(nameof(SpoiledPunches))]
    public async Task SubmitPunch_refuses_it_naming_the_field_and_writes_nothing(string spoiler)
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Client.SubmitPunchAsync(new() { Punch = Spoiled(spoiler) }, For(tenant)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith($"{Code}: {Spoilers[spoiler].Field} ", e.Status.Detail);
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Theory]
    [MemberData(nameof(SpoiledPunches))]
    public async Task SubmitPunches_rejects_only_that_punch_naming_the_field(string spoiler)
    {
        var response = await fixture.Client.SubmitPunchesAsync(new() { Punches = { ValidPunch(person), Spoiled(spoiler) } }, For(tenant));

        Assert.Equal(PunchOutcomeKind.Accepted, response.Outcomes[0].Outcome);
        AssertRejected(response.Outcomes[1], Spoilers[spoiler].Field);
        Assert.Equal(1, await fixture.CountEventsAsync(tenant));
    }

    [Theory]
    [MemberData(nameof(SpoiledPunches))]
    public async Task StreamPunches_rejects_only_that_punch_naming_the_field(string spoiler)
    {
        using var call = fixture.Client.StreamPunches(For(tenant));
        await call.RequestStream.WriteAsync(Spoiled(spoiler));
        await call.RequestStream.WriteAsync(ValidPunch(person));
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;

        AssertRejected(response.Outcomes[0], Spoilers[spoiler].Field);
        Assert.Equal(PunchOutcomeKind.Accepted, response.Outcomes[1].Outcome);
        Assert.Equal(1, await fixture.CountEventsAsync(tenant));
    }

    private static void AssertRejected(PunchOutcome outcome, string field)
    {
        Assert.Equal(PunchOutcomeKind.Rejected, outcome.Outcome);
        Assert.Equal(Code, outcome.ErrorCode);
        Assert.StartsWith(field + " ", outcome.ErrorMessage);
    }

    [Theory]
    [InlineData("0001-01-01", "0001-01-01", "from_date")]
    [InlineData("9999-12-30", "9999-12-30", "from_date")]
    [InlineData("9999-12-31", "9999-12-31", "from_date")]
    [InlineData("1899-12-31", "1900-01-01", "from_date")]
    [InlineData("9998-12-31", "9999-01-01", "to_date")]
    [InlineData("2026-03-01", "9999-12-31", "to_date")]
    public async Task ListPunches_refuses_dates_outside_1900_to_9998(string from, string to, string field)
    {
        using var call = fixture.Client.ListPunches(new() { PersonUuid = Guid.NewGuid().ToString(), FromDate = from, ToDate = to }, For(tenant));

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith($"{Code}: {field} ", e.Status.Detail);
    }

    [Theory]
    [InlineData("1900-01-01", "1900-12-31")]
    [InlineData("9998-12-31", "9998-12-31")]
    public async Task ListPunches_serves_the_first_and_last_years_of_the_range(string from, string to)
    {
        using var call = fixture.Client.ListPunches(new() { PersonUuid = Guid.NewGuid().ToString(), FromDate = from, ToDate = to }, For(tenant));

        Assert.Empty(await call.ResponseStream.ReadAllAsync().ToListAsync());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("\n")]
    [InlineData("\u00a0")]
    public async Task ListPunches_refuses_a_person_uuid_with_whitespace_around_it(string padding)
    {
        using var call = fixture.Client.ListPunches(new() { PersonUuid = Guid.NewGuid() + padding, FromDate = "2026-03-02", ToDate = "2026-03-02" }, For(tenant));

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith($"{Code}: person_uuid ", e.Status.Detail);
    }

    private static byte[] ValidRequestBytes() => new SubmitPunchRequest { Punch = ValidPunch() }.ToByteArray();

    /// <summary>Punch fields of a valid punch except request_id (field 6), which the case writes itself.</summary>
    private static byte[] PunchWithRawRequestId(byte[] requestId)
    {
        var punch = ValidPunch();
        punch.RequestId = "";
        return BytesField(1, [.. punch.ToByteArray(), .. BytesField(6, requestId)]);
    }

    /// <summary>Request bodies a generated client never sends: broken protobuf and broken gRPC framing.</summary>
    private static readonly Dictionary<string, (byte[] Body, string? Encoding)> Bodies = new()
    {
        ["request_id that is not UTF-8"] = (Frame(PunchWithRawRequestId([0x72, 0xC3, 0x28])), null),
        ["request_id with an overlong UTF-8 NUL"] = (Frame(PunchWithRawRequestId([0x72, 0xC0, 0x80])), null),
        ["request_id with a UTF-8 encoded surrogate"] = (Frame(PunchWithRawRequestId([0xED, 0xA0, 0x80])), null),
        ["punch sent as a varint"] = (Frame(VarintField(1, 5)), null),
        ["request_id sent as a varint"] = (Frame(BytesField(1, [.. ValidPunch().ToByteArray(), .. VarintField(6, 7)])), null),
        ["a field number the message does not define"] = (Frame([.. ValidRequestBytes(), .. VarintField(99, 1)]), null),
        ["a group wire type"] = (Frame([.. Tag(1, StartGroup), .. Tag(1, 4)]), null),
        ["a truncated varint"] = (Frame([0x0A, 0x80]), null),
        ["a length beyond the message"] = (Frame([0x0A, 0x7F, 0x01]), null),
        ["tag zero"] = (Frame([0x00, 0x00]), null),
        ["bytes that are not protobuf"] = (Frame([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), null),
        ["compressed flag 2"] = (Frame(ValidRequestBytes(), flag: 2), null),
        ["compressed flag without grpc-encoding"] = (Frame(ValidRequestBytes(), flag: 1), null),
        ["gzip that is not gzip"] = (Frame(ValidRequestBytes(), flag: 1), "gzip"),
        ["a frame cut short"] = (Frame(ValidRequestBytes())[..10], null),
        ["a frame header cut short"] = ([0, 0, 0], null),
        ["two messages in a unary call"] = ([.. Frame(ValidRequestBytes()), .. Frame(ValidRequestBytes())], null),
        ["no message at all"] = ([], null),
    };

    public static TheoryData<string> BrokenBodies => [.. Bodies.Keys];

    [Theory]
    [MemberData(nameof(BrokenBodies))]
    public async Task A_request_that_is_not_the_contracts_message_is_invalid_argument_and_writes_nothing(string body)
    {
        var headers = new Dictionary<string, string> { ["authorization"] = "Bearer " + PunchLedgerServiceFixture.AccessTokens.Issue(tenant) };
        if (Bodies[body].Encoding is { } encoding) headers["grpc-encoding"] = encoding;

        var response = await GrpcProbes.PostBodyAsync(fixture.Service.GrpcEndpoint, SubmitPunchPath, Bodies[body].Body, headers);

        Assert.Equal(StatusCode.InvalidArgument, response.Status);
        Assert.StartsWith(Code + ": ", response.Message);
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
        Assert.False((await fixture.Client.SubmitPunchAsync(new() { Punch = ValidPunch(person) }, For(tenant))).Duplicate);
    }

    [Fact]
    public async Task A_stream_with_one_broken_message_is_invalid_argument_after_the_messages_before_it()
    {
        var headers = new Dictionary<string, string> { ["authorization"] = "Bearer " + PunchLedgerServiceFixture.AccessTokens.Issue(tenant) };
        byte[] body = [.. Frame(ValidPunch().ToByteArray()), .. Frame([.. ValidPunch().ToByteArray(), .. VarintField(6, 7)])];

        var response = await GrpcProbes.PostBodyAsync(fixture.Service.GrpcEndpoint, "/attendance.ledger.v1.PunchLedger/StreamPunches", body, headers);

        Assert.Equal(StatusCode.InvalidArgument, response.Status);
        Assert.StartsWith(Code + ": ", response.Message);
        Assert.Contains("request_id", response.Message);
        // The stream failed before its first chunk was committed: nothing of it is recorded.
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task A_string_that_is_not_UTF8_names_the_field()
    {
        var headers = new Dictionary<string, string> { ["authorization"] = "Bearer " + PunchLedgerServiceFixture.AccessTokens.Issue(tenant) };

        var response = await GrpcProbes.PostBodyAsync(fixture.Service.GrpcEndpoint, SubmitPunchPath,
            Frame(PunchWithRawRequestId([0x72, 0xC3, 0x28])), headers);

        Assert.Equal(StatusCode.InvalidArgument, response.Status);
        Assert.StartsWith($"{Code}: punch.request_id ", response.Message);
        Assert.Contains("UTF-8", response.Message);
    }
}
