using System.Net;
using System.Text.Json;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Tests.Shared;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary><c>GET /api/identity/unmapped</c> on the service's HTTP endpoint, for admin pages.</summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class HttpApiTests(IdentityMappingServiceFixture fixture)
{
    private readonly Guid tenant = Guid.NewGuid();

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, Guid? tenantId)
    {
        using var request = TestAccessTokens.Get(path, tenantId is { } id ? IdentityMappingServiceFixture.AccessTokens.Issue(id) : null);
        using var response = await fixture.Http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task The_unmapped_queue_is_served_as_json_and_paged()
    {
        await fixture.Client.ResolveAsync(tenant, ["h-1"], record: true, provider: IdentityProvider.Wecom);
        await fixture.Client.ResolveAsync(tenant, ["h-2", "h-2"], record: true, provider: IdentityProvider.Wecom);
        await fixture.Client.ResolveAsync(tenant, ["h-3"], record: true, provider: IdentityProvider.Dingtalk);

        var (status, body) = await GetAsync("/api/identity/unmapped?provider=wecom&page_size=1", tenant);

        Assert.Equal(HttpStatusCode.OK, status);
        var item = Assert.Single(body.GetProperty("identities").EnumerateArray());
        Assert.Equal("WECOM", item.GetProperty("provider").GetString());
        Assert.Equal("h-2", item.GetProperty("external_user_id").GetString());
        Assert.Equal(2, item.GetProperty("seen_count").GetInt64());
        Assert.True(item.GetProperty("last_seen_at").TryGetDateTimeOffset(out _));

        var token = body.GetProperty("next_page_token").GetString();
        var (_, next) = await GetAsync($"/api/identity/unmapped?provider=wecom&page_size=1&page_token={Uri.EscapeDataString(token!)}", tenant);
        Assert.Equal("h-1", Assert.Single(next.GetProperty("identities").EnumerateArray()).GetProperty("external_user_id").GetString());
        Assert.Equal(JsonValueKind.Null, next.GetProperty("next_page_token").ValueKind);
    }

    [Theory]
    [InlineData(null, "", 401, "IDENTITY_UNAUTHENTICATED")]
    [InlineData("tenant", "?provider=msn", 400, "IDENTITY_INVALID_ARGUMENT")]
    [InlineData("tenant", "?page_size=9999", 400, "IDENTITY_INVALID_ARGUMENT")]
    [InlineData("tenant", "?page_token=zzz", 400, "IDENTITY_INVALID_ARGUMENT")]
    [InlineData("tenant", "?page_size=ten", 400, "IDENTITY_INVALID_ARGUMENT")]
    public async Task Refusals_are_problem_details_with_the_stable_code(string? withTenant, string query, int status, string code)
    {
        var (actual, body) = await GetAsync("/api/identity/unmapped" + query, withTenant is null ? null : tenant);

        Assert.Equal(status, (int)actual);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal(status, body.GetProperty("status").GetInt32());
    }
}
