using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Tests.Shared;
using HrmsAttendance.Tokens;
using static HrmsAttendance.IdentityMapping.IntegrationTests.Calls;
using static HrmsAttendance.IdentityMapping.IntegrationTests.IdentityMappingServiceFixture;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>
/// IdentityDirectory.ListLinkedUserIds, the WeCom poller's roster: the connectors' role (integration) only, its tenant's
/// ids of the provider, paged.
/// </summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class IdentityDirectoryTests(IdentityMappingServiceFixture fixture)
{
    private readonly Guid tenant = Guid.NewGuid();
    private IdentityDirectory.IdentityDirectoryClient Roster => new(fixture.Channel);

    private static ListLinkedUserIdsRequest WeComPage(int size = 0, string token = "") =>
        new() { Provider = IdentityProvider.Wecom, PageSize = size, PageToken = token };

    private static CallOptions As(Guid tenant, string role) => TestAccessTokens.Bearer(AccessTokens.Issue(tenant, role, subject: $"{role}-1"));

    [Theory]
    [InlineData(AccessRoles.TenantAdmin)]
    [InlineData(AccessRoles.Approver)]
    [InlineData(AccessRoles.Employee)]
    public async Task A_caller_without_the_integration_role_is_refused_with_IDENTITY_FORBIDDEN(string role)
    {
        var person = await fixture.Client.CreatePersonAsync(tenant, "DIR-F-" + role);
        await fixture.Client.LinkAsync(tenant, "wecom-forbidden", person, IdentityProvider.Wecom);

        await AssertRefusedAsync(StatusCode.PermissionDenied, "IDENTITY_FORBIDDEN",
            () => Roster.ListLinkedUserIdsAsync(WeComPage(), As(tenant, role)));
    }

    [Fact]
    public async Task The_integration_role_pages_through_its_tenants_linked_ids_of_the_provider_only()
    {
        var person = await fixture.Client.CreatePersonAsync(tenant, "DIR-1");
        foreach (var id in new[] { "wecom-a", "wecom-b", "wecom-c" })
            await fixture.Client.LinkAsync(tenant, id, person, IdentityProvider.Wecom);
        await fixture.Client.LinkAsync(tenant, "ding-a", person, IdentityProvider.Dingtalk);
        var other = Guid.NewGuid();
        await fixture.Client.LinkAsync(other, "wecom-other", await fixture.Client.CreatePersonAsync(other, "DIR-2"), IdentityProvider.Wecom);

        var first = await Roster.ListLinkedUserIdsAsync(WeComPage(size: 2), As(tenant, AccessRoles.Integration));
        var second = await Roster.ListLinkedUserIdsAsync(WeComPage(size: 2, token: first.NextPageToken), As(tenant, AccessRoles.Integration));

        Assert.Equal(["wecom-a", "wecom-b"], first.ExternalUserIds);
        Assert.Equal(["wecom-c"], second.ExternalUserIds);
        Assert.Equal("", second.NextPageToken);
    }
}
