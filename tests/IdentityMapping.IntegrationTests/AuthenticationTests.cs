using System.Net;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Tests.Shared;
using static HrmsAttendance.IdentityMapping.IntegrationTests.Calls;
using static HrmsAttendance.IdentityMapping.IntegrationTests.IdentityMappingServiceFixture;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>
/// Identity mapping believes only a valid bearer token, on its gRPC and its HTTP port: identity headers (which only the
/// gateway used to set) name nobody, and a missing, expired or foreign token is UNAUTHENTICATED / 401 with a stable code.
/// </summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class AuthenticationTests(IdentityMappingServiceFixture fixture)
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> GetUnmappedAsync(string? token, params (string, string)[] headers)
    {
        using var request = TestAccessTokens.Get("/api/identity/unmapped", token, headers);
        using var response = await fixture.Http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Forged_identity_headers_without_a_token_are_unauthenticated_on_the_grpc_port()
    {
        var tenant = Guid.NewGuid();
        await fixture.Client.CreatePersonAsync(tenant, "F-1", "Forged-for");
        var forged = TestAccessTokens.Bearer(null, TestAccessTokens.ForgedIdentityHeaders(tenant));

        await AssertRefusedAsync(StatusCode.Unauthenticated, "IDENTITY_UNAUTHENTICATED", () => fixture.Client.ListPersonsAsync(new ListPersonsRequest(), forged));
        await AssertRefusedAsync(StatusCode.Unauthenticated, "IDENTITY_UNAUTHENTICATED",
            () => fixture.Client.CreatePersonAsync(new CreatePersonRequest { EmployeeNumber = "F-2", DisplayName = "Forged" }, forged));

        Assert.Equal(1, await fixture.CountAsOwnerAsync(tenant, "person.persons"));
    }

    [Fact]
    public async Task Forged_identity_headers_without_a_token_are_401_on_the_http_port()
    {
        var tenant = Guid.NewGuid();
        await fixture.Client.ResolveAsync(tenant, ["forged-1"], record: true);

        var (status, body) = await GetUnmappedAsync(null, TestAccessTokens.ForgedIdentityHeaders(tenant));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("IDENTITY_UNAUTHENTICATED", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_token_of_tenant_A_with_tenant_B_in_the_headers_sees_only_A()
    {
        Guid tenantA = Guid.NewGuid(), tenantB = Guid.NewGuid();
        await fixture.Client.CreatePersonAsync(tenantA, "A-1", "Of A");
        await fixture.Client.CreatePersonAsync(tenantB, "B-1", "Of B");
        await fixture.Client.ResolveAsync(tenantA, ["unmapped-of-a"], record: true);
        await fixture.Client.ResolveAsync(tenantB, ["unmapped-of-b"], record: true);
        var tokenOfA = AccessTokens.Issue(tenantA);

        var persons = await fixture.Client.ListPersonsAsync(new ListPersonsRequest(), TestAccessTokens.Bearer(tokenOfA, TestAccessTokens.ForgedIdentityHeaders(tenantB)));
        var (status, unmapped) = await GetUnmappedAsync(tokenOfA, TestAccessTokens.ForgedIdentityHeaders(tenantB));

        Assert.Equal(["A-1"], persons.Persons.Select(p => p.EmployeeNumber));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["unmapped-of-a"], unmapped.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("external_user_id").GetString()));
    }

    [Fact]
    public async Task The_links_principal_is_the_tokens_subject_not_a_header()
    {
        var tenant = Guid.NewGuid();
        var person = await fixture.Client.CreatePersonAsync(tenant, "S-1");
        var options = TestAccessTokens.Bearer(AccessTokens.Issue(tenant, subject: "admin-from-token"), ("x-principal-id", "forged-admin"));

        var link = await fixture.Client.LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = IdentityProvider.Dingtalk, ExternalUserId = "s-user", PersonUuid = person.PersonUuid,
        }, options);

        Assert.Equal("admin-from-token", link.LinkedBy);
    }

    public static TheoryData<string, string> UnusableTokens => new()
    {
        { "expired", "IDENTITY_TOKEN_EXPIRED" },
        { "foreign-key", "IDENTITY_TOKEN_INVALID" },
        { "not-a-jwt", "IDENTITY_TOKEN_INVALID" },
    };


    [Theory]
    [MemberData(nameof(UnusableTokens))]
    public async Task An_unusable_token_is_unauthenticated_on_both_ports_even_with_identity_headers(string kind, string code)
    {
        var tenant = Guid.NewGuid();
        var token = AccessTokens.IssueUnusable(kind, tenant);

        await AssertRefusedAsync(StatusCode.Unauthenticated, code, () => fixture.Client.CreatePersonAsync(
            new CreatePersonRequest { EmployeeNumber = "U-1", DisplayName = "Unusable" }, TestAccessTokens.Bearer(token, TestAccessTokens.ForgedIdentityHeaders(tenant))));
        var (status, body) = await GetUnmappedAsync(token, TestAccessTokens.ForgedIdentityHeaders(tenant));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal(0, await fixture.CountAsOwnerAsync(tenant, "person.persons"));
    }
}
