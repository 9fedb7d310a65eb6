using System.Net;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// The services' own ports in the whole topology, reached without the gateway (issue 15, found 4): identity headers
/// forged by the caller open nothing; a token the AppHost's key signed works on each of them, because the AppHost hands
/// every service the same key as the gateway.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class ServicePortTests(DistributedAppFixture fixture)
{
    private static (string Name, string Value)[] ForgedIdentity(Guid tenant) =>
        [("x-tenant-id", tenant.ToString()), ("x-principal-id", "root"), ("x-roles", AccessRoles.TenantAdmin)];

    private async Task<TopologyCallers> CallersAsync()
    {
        foreach (var service in new[] { "identity-mapping", "daily-results", "gateway" })
            await fixture.App.WaitHealthyAsync(service, TimeSpan.FromSeconds(90));
        return new TopologyCallers(fixture.App, fixture.DataDirectory);
    }

    [Fact]
    public async Task Forged_identity_headers_on_a_services_grpc_port_return_nothing_of_the_tenant()
    {
        var callers = await CallersAsync();
        var tenant = Guid.NewGuid();
        using var gateway = callers.Channel();
        await new IdentityMappingClient(gateway).CreatePersonAsync(new() { EmployeeNumber = "PORT-1", DisplayName = "Behind the gateway" },
            TopologyCallers.Bearer(callers.Token(tenant, AccessRoles.TenantAdmin)));
        using var direct = fixture.App.CreateGrpcChannel("identity-mapping");
        var identity = new IdentityMappingClient(direct);

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await identity.ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(null, ForgedIdentity(tenant))));
        var withToken = await identity.ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(callers.Token(tenant, AccessRoles.TenantAdmin)));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.StartsWith("IDENTITY_UNAUTHENTICATED: ", e.Status.Detail);
        Assert.Equal(["PORT-1"], withToken.Persons.Select(p => p.EmployeeNumber));
    }

    [Theory]
    [InlineData("identity-mapping", "/api/identity/unmapped", "IDENTITY_UNAUTHENTICATED")]
    [InlineData("daily-results", "/api/daily-results?person_uuid=0b6f2c55-8c1e-4d0e-a3f5-5f1d8b1f3a20", "RESULTS_UNAUTHENTICATED")]
    public async Task Forged_identity_headers_on_a_services_http_port_are_401_and_its_token_is_accepted(string service, string path, string code)
    {
        var callers = await CallersAsync();
        var tenant = Guid.NewGuid();
        using var http = fixture.App.CreateHttpClient(service, "http");

        using var forged = TopologyCallers.Get(path, null);
        foreach (var (name, value) in ForgedIdentity(tenant)) forged.Headers.Add(name, value);
        using var refused = await http.SendAsync(forged);
        using var signed = TopologyCallers.Get(path, callers.Token(tenant, AccessRoles.TenantAdmin));
        using var accepted = await http.SendAsync(signed);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_direct_call_with_a_token_of_tenant_A_and_tenant_B_headers_reads_A()
    {
        var callers = await CallersAsync();
        Guid tenantA = Guid.NewGuid(), tenantB = Guid.NewGuid();
        using var direct = fixture.App.CreateGrpcChannel("identity-mapping");
        var identity = new IdentityMappingClient(direct);
        await identity.CreatePersonAsync(new() { EmployeeNumber = "B-ONLY", DisplayName = "Of B" },
            TopologyCallers.Bearer(callers.Token(tenantB, AccessRoles.TenantAdmin)));

        var seen = await identity.ListPersonsAsync(new ListPersonsRequest(),
            TopologyCallers.Bearer(callers.Token(tenantA, AccessRoles.TenantAdmin), ForgedIdentity(tenantB)));

        Assert.Empty(seen.Persons);
    }
}
