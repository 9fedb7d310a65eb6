using HrmsAttendance.Contracts.Identity.V1;
using Grpc.Core;
using static HrmsAttendance.IdentityMapping.IntegrationTests.IdentityMappingServiceFixture;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>Short forms of the calls the tests make over and over.</summary>
internal static class Calls
{
    /// <summary>Asserts the call fails with <paramref name="status"/> and a message starting with "<paramref name="code"/>: ".</summary>
    public static async Task<RpcException> AssertRefusedAsync(StatusCode status, string code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(status, e.StatusCode);
        Assert.StartsWith(code + ": ", e.Status.Detail);
        return e;
    }

    /// <inheritdoc cref="AssertRefusedAsync(StatusCode, string, Func{Task})"/>
    public static Task<RpcException> AssertRefusedAsync<T>(StatusCode status, string code, Func<AsyncUnaryCall<T>> call) =>
        AssertRefusedAsync(status, code, async () => await call());

    public static Task<Person> CreatePersonAsync(this IdentityMappingClient client, Guid tenant, string employeeNumber, string? name = null) =>
        client.CreatePersonAsync(new CreatePersonRequest { EmployeeNumber = employeeNumber, DisplayName = name ?? "Person " + employeeNumber }, For(tenant)).ResponseAsync;

    public static Task<IdentityLink> LinkAsync(this IdentityMappingClient client, Guid tenant, string externalUserId, Person person,
        IdentityProvider provider = IdentityProvider.Dingtalk, string principal = "admin-1") =>
        client.LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = provider,
            ExternalUserId = externalUserId,
            PersonUuid = person.PersonUuid,
        }, For(tenant, principal)).ResponseAsync;

    public static Task<IdentityLink> UnlinkAsync(this IdentityMappingClient client, Guid tenant, string externalUserId,
        IdentityProvider provider = IdentityProvider.Dingtalk, string principal = "admin-1") =>
        client.UnlinkIdentityAsync(new UnlinkIdentityRequest { Provider = provider, ExternalUserId = externalUserId }, For(tenant, principal)).ResponseAsync;

    /// <summary>The person uuid each id resolves to ("" for none), in request order.</summary>
    public static async Task<string[]> ResolveAsync(this IdentityMappingClient client, Guid tenant, IEnumerable<string> ids,
        bool record = false, IdentityProvider provider = IdentityProvider.Dingtalk)
    {
        var request = new ResolveIdentitiesRequest { Provider = provider, RecordUnmapped = record };
        request.ExternalUserIds.AddRange(ids);
        var response = await client.ResolveIdentitiesAsync(request, For(tenant));
        Assert.Equal(request.ExternalUserIds, response.Results.Select(r => r.ExternalUserId));
        return [.. response.Results.Select(r => r.PersonUuid)];
    }

    public static async Task<List<UnmappedIdentity>> ListAllUnmappedAsync(this IdentityMappingClient client, Guid tenant,
        IdentityProvider provider = IdentityProvider.Unspecified, int pageSize = 0)
    {
        var all = new List<UnmappedIdentity>();
        var token = "";
        do
        {
            var page = await client.ListUnmappedAsync(new ListUnmappedRequest { Provider = provider, PageSize = pageSize, PageToken = token }, For(tenant));
            all.AddRange(page.Identities);
            token = page.NextPageToken;
        } while (token.Length > 0);
        return all;
    }
}
