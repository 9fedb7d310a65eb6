using System.Net;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tests.Shared;
using static HrmsAttendance.PunchLedger.IntegrationTests.Grpc.PunchLedgerServiceFixture;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// The ledger believes only a valid bearer token, on either port: identity headers (which only the gateway used to set)
/// name nobody, and a missing, expired or foreign token is UNAUTHENTICATED with a stable code, before any work.
/// </summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class AuthenticationTests(PunchLedgerServiceFixture fixture)
{
    private static readonly DateTimeOffset MondayNine = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));

    private static SubmitPunchRequest Punch(Guid person, string? requestId = null) => new()
    {
        Punch = new PunchInput
        {
            PersonUuid = person.ToString(),
            PunchTime = Timestamp.FromDateTimeOffset(MondayNine),
            PunchType = PunchType.In,
            SourceProvider = SourceProvider.Manual,
            RequestId = requestId ?? Guid.NewGuid().ToString(),
        },
    };

    private static async Task<List<Contracts.Ledger.V1.Punch>> ListAsync(Contracts.Ledger.V1.PunchLedger.PunchLedgerClient client, Guid person, CallOptions options)
    {
        using var call = client.ListPunches(new ListPunchesRequest { PersonUuid = person.ToString(), FromDate = "2026-03-01", ToDate = "2026-03-03" }, options);
        return await call.ResponseStream.ReadAllAsync().ToListAsync();
    }

    private static async Task AssertUnauthenticatedAsync(string code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.StartsWith(code + ": ", e.Status.Detail);
    }

    [Fact]
    public async Task Forged_identity_headers_without_a_token_are_unauthenticated_and_write_nothing()
    {
        var tenant = Guid.NewGuid();
        var person = Guid.NewGuid();
        var forged = TestAccessTokens.Bearer(null, TestAccessTokens.ForgedIdentityHeaders(tenant));

        await AssertUnauthenticatedAsync("STAFFING_UNAUTHENTICATED", async () => await fixture.Client.SubmitPunchAsync(Punch(person), forged));
        await AssertUnauthenticatedAsync("STAFFING_UNAUTHENTICATED", async () =>
            await fixture.Client.SubmitPunchesAsync(new SubmitPunchesRequest { Punches = { Punch(person).Punch } }, forged));
        await AssertUnauthenticatedAsync("STAFFING_UNAUTHENTICATED", () => ListAsync(fixture.Client, person, forged));
        using (var stream = fixture.Client.StreamPunches(forged))
        {
            // The service refuses before reading a message, so the write can race the refusal and fail on its own
            // (as CANCELLED); the call's status is what the service answered.
            try
            {
                await stream.RequestStream.WriteAsync(Punch(person).Punch);
                await stream.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException) { }
            await AssertUnauthenticatedAsync("STAFFING_UNAUTHENTICATED", async () => await stream.ResponseAsync);
        }

        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task Forged_identity_headers_without_a_token_are_401_on_the_http_port()
    {
        using var http = new HttpClient { BaseAddress = fixture.Service.HttpEndpoint };
        using var request = TestAccessTokens.Get("/api/punches", null, TestAccessTokens.ForgedIdentityHeaders(Guid.NewGuid()));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("STAFFING_UNAUTHENTICATED", problem.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_token_of_tenant_A_with_tenant_B_in_the_headers_reads_and_writes_only_A()
    {
        Guid tenantA = Guid.NewGuid(), tenantB = Guid.NewGuid();
        Guid personOfA = await fixture.NewPersonAsync(tenantA), personOfB = await fixture.NewPersonAsync(tenantB);
        await fixture.Client.SubmitPunchAsync(Punch(personOfB), For(tenantB));
        var aPosingAsB = TestAccessTokens.Bearer(AccessTokens.Issue(tenantA), TestAccessTokens.ForgedIdentityHeaders(tenantB));

        Assert.Empty(await ListAsync(fixture.Client, personOfB, aPosingAsB));
        await fixture.Client.SubmitPunchAsync(Punch(personOfA), aPosingAsB);

        Assert.Equal(1, await fixture.CountEventsAsync(tenantA));
        Assert.Equal(1, await fixture.CountEventsAsync(tenantB));
        Assert.Single(await ListAsync(fixture.Client, personOfA, For(tenantA)));
    }

    public static TheoryData<string, string> UnusableTokens => new()
    {
        { "expired", "STAFFING_TOKEN_EXPIRED" },
        { "foreign-key", "STAFFING_TOKEN_INVALID" },
        { "not-a-jwt", "STAFFING_TOKEN_INVALID" },
    };


    [Theory]
    [MemberData(nameof(UnusableTokens))]
    public async Task An_unusable_token_is_unauthenticated_even_with_identity_headers(string kind, string code)
    {
        var tenant = Guid.NewGuid();
        var options = TestAccessTokens.Bearer(AccessTokens.IssueUnusable(kind, tenant), TestAccessTokens.ForgedIdentityHeaders(tenant));

        await AssertUnauthenticatedAsync(code, async () => await fixture.Client.SubmitPunchAsync(Punch(Guid.NewGuid()), options));

        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }
}
