using HrmsAttendance.Contracts.Identity.V1;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>identity-mapping in the whole topology: migrated by the AppHost, reachable over gRPC.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class IdentityFlowTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task A_person_linked_through_the_identity_service_resolves_exactly()
    {
        var app = fixture.App;
        await app.WaitHealthyAsync("identity-mapping", TimeSpan.FromSeconds(60));
        using var channel = app.CreateGrpcChannel("identity-mapping");
        var client = new IdentityMappingClient(channel);
        var options = TopologyCallers.Bearer(new TopologyCallers(app, fixture.DataDirectory).Token(Guid.NewGuid(), AccessRoles.TenantAdmin));

        var person = await client.CreatePersonAsync(new() { EmployeeNumber = "E-100", DisplayName = "王小明" }, options);
        await client.LinkIdentityAsync(new()
        {
            Provider = IdentityProvider.Dingtalk, ExternalUserId = "manager100", PersonUuid = person.PersonUuid,
        }, options);
        var resolved = await client.ResolveIdentitiesAsync(new()
        {
            Provider = IdentityProvider.Dingtalk, ExternalUserIds = { "manager100", "Manager100" },
        }, options);

        Assert.Equal([person.PersonUuid, ""], resolved.Results.Select(r => r.PersonUuid));
    }
}
