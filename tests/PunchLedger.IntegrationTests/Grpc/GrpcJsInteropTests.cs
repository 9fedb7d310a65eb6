using System.Text.Json;
using HrmsAttendance.Interop;
using HrmsAttendance.Tests.Shared;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// A gRPC client no one here wrote (@grpc/grpc-js with @grpc/proto-loader, from npm) calls the
/// real punch-ledger process: proof that our hand-served gRPC speaks the protocol, not just our dialect.
/// </summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class GrpcJsInteropTests(PunchLedgerServiceFixture fixture) : IAsyncLifetime
{
    private readonly string tenant = Guid.NewGuid().ToString();
    private string person = "";

    /// <summary>A person of the tenant: the ledger records punches of registered, active persons only.</summary>
    public async Task InitializeAsync() => person = (await fixture.NewPersonAsync(Guid.Parse(tenant))).ToString();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<NodeCallResult> CallAsync(string method, string requestJson, string? tenantId = null, int deadlineMs = 10_000) =>
        NodeInterop.CallAsync(new NodeCall(
            Path.Combine(NodeInterop.RepoRoot, "contracts/protos/attendance/ledger/v1/punch_ledger.proto"),
            $"127.0.0.1:{fixture.Service.GrpcEndpoint!.Port}",
            $"attendance.ledger.v1.PunchLedger/{method}",
            requestJson)
        {
            IncludeDirs = [Path.Combine(NodeInterop.RepoRoot, "contracts/protos")],
            Metadata = TestAccessTokens.NodeMetadata(PunchLedgerServiceFixture.AccessTokens.Issue(Guid.Parse(tenantId ?? tenant), subject: "grpc-js")),
            DeadlineMs = deadlineMs,
        });

    private string SubmitJson(long unixSeconds, string type, string requestId, string? personUuid = null) => JsonSerializer.Serialize(new
    {
        punch = new
        {
            person_uuid = personUuid ?? person,
            punch_time = new { seconds = unixSeconds.ToString(), nanos = 0 },
            punch_type = type,
            source_provider = "SOURCE_PROVIDER_MANUAL",
            request_id = requestId,
        },
    });

    // 2026-08-03 09:00 and 18:00 Asia/Shanghai.
    private static readonly long NineOClock = new DateTimeOffset(2026, 8, 3, 9, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeSeconds();

    [Fact]
    public async Task Unary_call_succeeds_and_carries_the_tenant_metadata()
    {
        var result = await CallAsync("SubmitPunch", SubmitJson(NineOClock, "PUNCH_TYPE_IN", "js-1"));

        Assert.Equal("OK", result.Status.Name);
        var reply = result.Messages.Single();
        Assert.True(Guid.TryParseExact(reply.GetProperty("event_id").GetString(), "D", out _));
        Assert.False(reply.GetProperty("duplicate").GetBoolean());
        Assert.Equal(["2026-08-02", "2026-08-03"], reply.GetProperty("affected_work_dates").EnumerateArray().Select(e => e.GetString()));
        // The tenant travelled as metadata: the event is in this tenant and no other.
        Assert.Equal(1, await fixture.CountEventsAsync(Guid.Parse(tenant)));
    }

    [Fact]
    public async Task Invalid_argument_arrives_with_its_unicode_message_intact()
    {
        var result = await CallAsync("SubmitPunch", SubmitJson(NineOClock, "PUNCH_TYPE_IN", "js-2", personUuid: "员工-007: 50% done"));

        Assert.Equal("INVALID_ARGUMENT", result.Status.Name);
        Assert.Equal("STAFFING_INVALID_ARGUMENT: person_uuid must be a canonical UUID, got '员工-007: 50% done'", result.Status.Details);
    }

    [Fact]
    public async Task Server_streaming_ListPunches_delivers_every_punch_and_an_OK_status()
    {
        await CallAsync("SubmitPunch", SubmitJson(NineOClock, "PUNCH_TYPE_IN", "js-3"));
        await CallAsync("SubmitPunch", SubmitJson(NineOClock + 9 * 3600, "PUNCH_TYPE_OUT", "js-4"));

        var result = await CallAsync("ListPunches", JsonSerializer.Serialize(new { person_uuid = person, from_date = "2026-08-03", to_date = "2026-08-03" }));

        Assert.Equal("OK", result.Status.Name);
        Assert.Equal(["js-3", "js-4"], result.Messages.Select(m => m.GetProperty("request_id").GetString()));
        Assert.All(result.Messages, m => Assert.Equal("grpc-js", m.GetProperty("initiator_id").GetString()));
        Assert.Equal(["PUNCH_TYPE_IN", "PUNCH_TYPE_OUT"], result.Messages.Select(m => m.GetProperty("punch_type").GetString()));
    }

    [Fact]
    public async Task A_call_without_a_token_is_unauthenticated()
    {
        var result = await NodeInterop.CallAsync(new NodeCall(
            Path.Combine(NodeInterop.RepoRoot, "contracts/protos/attendance/ledger/v1/punch_ledger.proto"),
            $"127.0.0.1:{fixture.Service.GrpcEndpoint!.Port}",
            "attendance.ledger.v1.PunchLedger/SubmitPunch",
            SubmitJson(NineOClock, "PUNCH_TYPE_IN", "js-5"))
        { IncludeDirs = [Path.Combine(NodeInterop.RepoRoot, "contracts/protos")], DeadlineMs = 10_000 });

        Assert.Equal("UNAUTHENTICATED", result.Status.Name);
        Assert.StartsWith("STAFFING_UNAUTHENTICATED: ", result.Status.Details);
    }

    [Fact]
    public async Task Deadlines_are_honoured_a_generous_one_passes_an_expired_one_fails()
    {
        var generous = await CallAsync("ListPunches",
            JsonSerializer.Serialize(new { person_uuid = person, from_date = "2026-08-01", to_date = "2026-08-31" }), deadlineMs: 20_000);
        Assert.Equal("OK", generous.Status.Name);

        var expired = await CallAsync("ListPunches",
            JsonSerializer.Serialize(new { person_uuid = person, from_date = "2026-08-01", to_date = "2026-08-31" }), deadlineMs: 1);
        Assert.Equal("DEADLINE_EXCEEDED", expired.Status.Name);
    }
}
