using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tests.Shared;
using static HrmsAttendance.PunchLedger.IntegrationTests.Grpc.PunchLedgerServiceFixture;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// The gRPC protocol around the contract, on the real h2c port: health, reflection, size limits, unknown methods,
/// bytes that are not protobuf, compression.
/// </summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class ProtocolTests(PunchLedgerServiceFixture fixture) : IAsyncLifetime
{
    private const string SubmitPunchPath = "/attendance.ledger.v1.PunchLedger/SubmitPunch";
    private readonly Guid tenant = Guid.NewGuid();
    private Guid person;

    /// <summary>A person of the tenant: the ledger records punches of registered, active persons only.</summary>
    public async Task InitializeAsync() => person = await fixture.NewPersonAsync(tenant);

    public Task DisposeAsync() => Task.CompletedTask;

    private SubmitPunchRequest ValidRequest(string requestId) => new()
    {
        Punch = new PunchInput
        {
            PersonUuid = person.ToString(),
            PunchTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.FromHours(8))),
            PunchType = PunchType.In,
            SourceProvider = SourceProvider.Manual,
            RequestId = requestId,
        },
    };

    [Fact]
    public async Task Grpc_health_answers_SERVING()
    {
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await GrpcProbes.CheckHealthAsync(fixture.Channel));
    }

    [Fact]
    public async Task Reflection_lists_the_ledger_health_and_reflection()
    {
        var services = await GrpcProbes.ListServicesAsync(fixture.Channel);

        Assert.Contains("attendance.ledger.v1.PunchLedger", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task A_request_over_4_MiB_is_resource_exhausted_and_writes_nothing()
    {
        var request = ValidRequest("too-big");
        request.Punch.PayloadJson = "{\"x\":\"" + new string('a', 4 * 1024 * 1024) + "\"}";

        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.SubmitPunchAsync(request, For(tenant)));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.StartsWith("STAFFING_REQUEST_TOO_LARGE: ", e.Status.Detail);
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task An_unknown_method_is_unimplemented()
    {
        var method = new Method<Empty, Empty>(MethodType.Unary, "attendance.ledger.v1.PunchLedger", "NoSuchMethod",
            Marshallers.Create(m => m.ToByteArray(), Empty.Parser.ParseFrom), Marshallers.Create(m => m.ToByteArray(), Empty.Parser.ParseFrom));

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, For(tenant), new Empty()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    [Fact]
    public async Task Bytes_that_are_not_protobuf_get_a_status_and_the_service_keeps_serving()
    {
        var headers = TestAccessTokens.NodeMetadata(AccessTokens.Issue(tenant));

        var response = await GrpcProbes.PostFrameAsync(fixture.Service.GrpcEndpoint, SubmitPunchPath, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], headers);

        // GrpcRequestGuard reads the message before Grpc.AspNetCore parses it (whose own answer would be UNKNOWN).
        Assert.Equal(StatusCode.InvalidArgument, response.Status);
        Assert.StartsWith("STAFFING_INVALID_ARGUMENT: ", response.Message);
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
        var next = await fixture.Client.SubmitPunchAsync(ValidRequest("after-garbage"), For(tenant));
        Assert.False(next.Duplicate);
    }

    [Fact]
    public async Task The_answer_is_gzip_when_the_client_accepts_gzip()
    {
        var headers = new Dictionary<string, string>(TestAccessTokens.NodeMetadata(AccessTokens.Issue(tenant))) { ["grpc-accept-encoding"] = "gzip" };

        var response = await GrpcProbes.PostFrameAsync(fixture.Service.GrpcEndpoint, SubmitPunchPath,
            ValidRequest("gzip-me").ToByteArray(), headers);

        Assert.Equal(StatusCode.OK, response.Status);
        Assert.Equal("gzip", response.Encoding);
        Assert.Equal(1, response.Body[0]); // the message frame's compressed flag
    }

    [Fact]
    public async Task A_unicode_refusal_survives_the_raw_wire()
    {
        var request = ValidRequest("unicode");
        request.Punch.PersonUuid = "员工-007: 50% done";
        var headers = TestAccessTokens.NodeMetadata(AccessTokens.Issue(tenant));

        var response = await GrpcProbes.PostFrameAsync(fixture.Service.GrpcEndpoint, SubmitPunchPath, request.ToByteArray(), headers);

        Assert.Equal(StatusCode.InvalidArgument, response.Status);
        Assert.Equal("STAFFING_INVALID_ARGUMENT: person_uuid must be a canonical UUID, got '员工-007: 50% done'", response.Message);
    }
}
