using System.Text.Json;
using HrmsAttendance.Interop;
using HrmsAttendance.Tests.Shared;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>
/// A gRPC client no one here wrote (@grpc/grpc-js with @grpc/proto-loader, from npm) calls the real
/// identity-mapping process, as the connectors' peers would.
/// </summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class GrpcJsInteropTests(IdentityMappingServiceFixture fixture)
{
    private readonly Guid tenant = Guid.NewGuid();

    private Task<NodeCallResult> CallAsync(string method, object request, Guid? tenantId) =>
        NodeInterop.CallAsync(new NodeCall(
            Path.Combine(NodeInterop.RepoRoot, "contracts/protos/attendance/identity/v1/identity_mapping.proto"),
            $"127.0.0.1:{fixture.Service.GrpcEndpoint!.Port}",
            $"attendance.identity.v1.IdentityMapping/{method}",
            JsonSerializer.Serialize(request))
        {
            IncludeDirs = [Path.Combine(NodeInterop.RepoRoot, "contracts/protos")],
            Metadata = tenantId is { } id ? TestAccessTokens.NodeMetadata(IdentityMappingServiceFixture.AccessTokens.Issue(id, subject: "grpc-js")) : [],
            DeadlineMs = 20_000,
        });

    [Fact]
    public async Task ResolveIdentities_from_grpc_js_resolves_in_order_and_records_the_unmapped()
    {
        var person = await fixture.Client.CreatePersonAsync(tenant, "JS-1");
        await fixture.Client.LinkAsync(tenant, "js-known", person);

        var result = await CallAsync("ResolveIdentities", new
        {
            provider = "IDENTITY_PROVIDER_DINGTALK",
            external_user_ids = new[] { "js-unknown", "js-known", "JS-KNOWN" },
            record_unmapped = true,
        }, tenant);

        Assert.Equal("OK", result.Status.Name);
        var results = result.Messages.Single().GetProperty("results").EnumerateArray()
            .Select(r => (r.GetProperty("external_user_id").GetString(), r.GetProperty("person_uuid").GetString())).ToList();
        Assert.Equal([("js-unknown", ""), ("js-known", person.PersonUuid), ("JS-KNOWN", "")], results);

        var queued = await fixture.Client.ListAllUnmappedAsync(tenant);
        Assert.Equal(["JS-KNOWN", "js-unknown"], queued.Select(q => q.ExternalUserId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Refusals_reach_grpc_js_with_status_and_stable_code()
    {
        var noToken = await CallAsync("ResolveIdentities", new { provider = "IDENTITY_PROVIDER_WECOM", external_user_ids = new[] { "x" } }, null);
        Assert.Equal("UNAUTHENTICATED", noToken.Status.Name);
        Assert.StartsWith("IDENTITY_UNAUTHENTICATED: ", noToken.Status.Details);

        var person = await fixture.Client.CreatePersonAsync(tenant, "JS-2");
        var other = await fixture.Client.CreatePersonAsync(tenant, "JS-3");
        await fixture.Client.LinkAsync(tenant, "js-taken", person);
        var taken = await CallAsync("LinkIdentity", new
        {
            provider = "IDENTITY_PROVIDER_DINGTALK", external_user_id = "js-taken", person_uuid = other.PersonUuid,
        }, tenant);
        Assert.Equal("ALREADY_EXISTS", taken.Status.Name);
        Assert.StartsWith("IDENTITY_LINK_EXISTS: DINGTALK user id 'js-taken' is already linked to person " + person.PersonUuid, taken.Status.Details);
    }
}
