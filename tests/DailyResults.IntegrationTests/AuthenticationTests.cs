using System.Net;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Tests.Shared;
using static HrmsAttendance.DailyResults.IntegrationTests.DailyResultsServiceFixture;

namespace HrmsAttendance.DailyResults.IntegrationTests;

/// <summary>
/// Daily results believes only a valid bearer token, on its gRPC and its HTTP port: identity headers (which only the
/// gateway used to set) name nobody, and a missing, expired or foreign token is UNAUTHENTICATED / 401 with a stable code.
/// </summary>
[Collection(DailyResultsServiceCollection.Name)]
public sealed class AuthenticationTests(DailyResultsServiceFixture fixture)
{
    private static readonly DateTimeOffset MondayNine = new(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(8));

    private static ListDailyResultsRequest January(Guid person) =>
        new() { PersonUuid = person.ToString(), FromDate = "2026-01-01", ToDate = "2026-01-31" };

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetJanuaryAsync(Guid person, string? token, params (string, string)[] headers)
    {
        using var request = TestAccessTokens.Get($"/api/daily-results?person_uuid={person}&from_date=2026-01-01&to_date=2026-01-31", token, headers);
        using var response = await fixture.Http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task AssertUnauthenticatedAsync(string code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.StartsWith(code + ": ", e.Status.Detail);
    }

    [Fact]
    public async Task Forged_identity_headers_without_a_token_are_unauthenticated_on_both_ports()
    {
        var tenant = Guid.NewGuid();
        var person = await fixture.NewPersonAsync(tenant);
        await fixture.PunchAsync(tenant, person, MondayNine, "IN");
        var forged = TestAccessTokens.ForgedIdentityHeaders(tenant);

        await AssertUnauthenticatedAsync("RESULTS_UNAUTHENTICATED", async () =>
            await fixture.Client.ListDailyResultsAsync(January(person), TestAccessTokens.Bearer(null, forged)));
        await AssertUnauthenticatedAsync("RESULTS_UNAUTHENTICATED", async () =>
            await fixture.Client.GetMonthlySummaryAsync(new() { PersonUuid = person.ToString(), Month = "2026-01" }, TestAccessTokens.Bearer(null, forged)));
        var (status, body) = await GetJanuaryAsync(person, null, forged);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("RESULTS_UNAUTHENTICATED", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_token_of_tenant_A_with_tenant_B_in_the_headers_sees_only_A()
    {
        Guid tenantA = Guid.NewGuid(), tenantB = Guid.NewGuid();
        var personOfB = await fixture.NewPersonAsync(tenantB);
        await fixture.PunchAsync(tenantB, personOfB, MondayNine, "IN");
        var tokenOfA = AccessTokens.Issue(tenantA);

        var list = await fixture.Client.ListDailyResultsAsync(January(personOfB), TestAccessTokens.Bearer(tokenOfA, TestAccessTokens.ForgedIdentityHeaders(tenantB)));
        var (status, body) = await GetJanuaryAsync(personOfB, tokenOfA, TestAccessTokens.ForgedIdentityHeaders(tenantB));

        Assert.Empty(list.Results);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(tenantA.ToString(), body.GetProperty("tenant").GetString());
        Assert.Equal(0, body.GetProperty("results").GetArrayLength());
        Assert.NotEmpty((await fixture.Client.ListDailyResultsAsync(January(personOfB), For(tenantB))).Results);
    }

    public static TheoryData<string, string> UnusableTokens => new()
    {
        { "expired", "RESULTS_TOKEN_EXPIRED" },
        { "foreign-key", "RESULTS_TOKEN_INVALID" },
        { "not-a-jwt", "RESULTS_TOKEN_INVALID" },
    };


    [Theory]
    [MemberData(nameof(UnusableTokens))]
    public async Task An_unusable_token_is_unauthenticated_on_both_ports_even_with_identity_headers(string kind, string code)
    {
        Guid tenant = Guid.NewGuid(), person = Guid.NewGuid();
        var token = AccessTokens.IssueUnusable(kind, tenant);

        await AssertUnauthenticatedAsync(code, async () =>
            await fixture.Client.ListDailyResultsAsync(January(person), TestAccessTokens.Bearer(token, TestAccessTokens.ForgedIdentityHeaders(tenant))));
        var (status, body) = await GetJanuaryAsync(person, token, TestAccessTokens.ForgedIdentityHeaders(tenant));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(code, body.GetProperty("code").GetString());
    }
}
