using HrmsAttendance.Contracts.Identity.V1;
using Grpc.Core;
using static HrmsAttendance.IdentityMapping.IntegrationTests.Calls;
using static HrmsAttendance.IdentityMapping.IntegrationTests.IdentityMappingServiceFixture;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>The token rule (fail closed, no tenant sees another) and the stable code of every bad input.</summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class TenancyAndValidationTests(IdentityMappingServiceFixture fixture)
{
    private readonly Guid tenant = Guid.NewGuid();
    private IdentityMappingClient Client => fixture.Client;

    /// <summary>Every method, with a request that would otherwise be fine.</summary>
    public static TheoryData<string> Methods => ["CreatePerson", "UpdatePerson", "ListPersons", "LinkIdentity", "UnlinkIdentity", "ResolveIdentities", "ListUnmapped"];

    private Task Call(string method, CallOptions options) => method switch
    {
        "CreatePerson" => Client.CreatePersonAsync(new() { EmployeeNumber = "T-1", DisplayName = "T" }, options).ResponseAsync,
        "UpdatePerson" => Client.UpdatePersonAsync(new() { PersonUuid = Guid.NewGuid().ToString(), DisplayName = "T" }, options).ResponseAsync,
        "ListPersons" => Client.ListPersonsAsync(new(), options).ResponseAsync,
        "LinkIdentity" => Client.LinkIdentityAsync(new() { Provider = IdentityProvider.Dingtalk, ExternalUserId = "t", PersonUuid = Guid.NewGuid().ToString() }, options).ResponseAsync,
        "UnlinkIdentity" => Client.UnlinkIdentityAsync(new() { Provider = IdentityProvider.Dingtalk, ExternalUserId = "t" }, options).ResponseAsync,
        "ResolveIdentities" => Client.ResolveIdentitiesAsync(new() { Provider = IdentityProvider.Dingtalk, ExternalUserIds = { "t" }, RecordUnmapped = true }, options).ResponseAsync,
        "ListUnmapped" => Client.ListUnmappedAsync(new(), options).ResponseAsync,
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_call_without_a_token_is_unauthenticated(string method)
    {
        var noToken = new CallOptions(new Metadata { { "x-tenant-id", tenant.ToString() }, { "x-principal-id", "admin-1" } }, DateTime.UtcNow.AddSeconds(10));
        var e = await AssertRefusedAsync(StatusCode.Unauthenticated, "IDENTITY_UNAUTHENTICATED", () => Call(method, noToken));
        Assert.Equal("IDENTITY_UNAUTHENTICATED: a bearer token is required: send 'Authorization: Bearer <token>'", e.Status.Detail);
    }

    [Fact]
    public async Task Tenant_B_sees_and_touches_nothing_of_tenant_A()
    {
        var a = tenant;
        var b = Guid.NewGuid();
        var person = await Client.CreatePersonAsync(a, "A-1", "Only in A");
        await Client.LinkAsync(a, "a-user", person);
        await Client.ResolveAsync(a, ["a-stranger"], record: true);

        Assert.Empty((await Client.ListPersonsAsync(new ListPersonsRequest { Search = "Only in A" }, For(b))).Persons);
        Assert.Equal([""], await Client.ResolveAsync(b, ["a-user"]));
        Assert.Empty(await Client.ListAllUnmappedAsync(b));

        // B cannot reach A's rows by id either.
        await AssertRefusedAsync(StatusCode.NotFound, "IDENTITY_PERSON_NOT_FOUND",
            () => Client.UpdatePersonAsync(new UpdatePersonRequest { PersonUuid = person.PersonUuid, DisplayName = "Hijacked" }, For(b)));
        await AssertRefusedAsync(StatusCode.NotFound, "IDENTITY_PERSON_NOT_FOUND", () => Client.LinkAsync(b, "b-user", person));
        await AssertRefusedAsync(StatusCode.NotFound, "IDENTITY_LINK_NOT_FOUND", () => Client.UnlinkAsync(b, "a-user"));

        // B's own data with the same ids lives beside A's.
        var bPerson = await Client.CreatePersonAsync(b, "A-1", "B's A-1");
        await Client.LinkAsync(b, "a-user", bPerson);
        Assert.Equal([bPerson.PersonUuid], await Client.ResolveAsync(b, ["a-user"]));
        Assert.Equal([person.PersonUuid], await Client.ResolveAsync(a, ["a-user"]));
        Assert.Equal("Only in A", Assert.Single((await Client.ListPersonsAsync(new ListPersonsRequest(), For(a))).Persons).DisplayName);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("张三")]
    [InlineData("")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("{6f9619ff-8b86-d011-b42d-00c04fc964ff}")]
    [InlineData("6f9619ff8b86d011b42d00c04fc964ff")]
    public async Task Bad_person_uuids_are_invalid_arguments_and_change_nothing(string uuid)
    {
        await Client.CreatePersonAsync(tenant, "V-1", "Valid");

        var e = await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.UpdatePersonAsync(new UpdatePersonRequest { PersonUuid = uuid, DisplayName = "Changed" }, For(tenant)));
        Assert.Equal($"IDENTITY_INVALID_ARGUMENT: person_uuid must be a canonical UUID, got '{uuid}'", e.Status.Detail);
        await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.LinkIdentityAsync(new LinkIdentityRequest { Provider = IdentityProvider.Wecom, ExternalUserId = "v", PersonUuid = uuid }, For(tenant)));

        Assert.Equal("Valid", Assert.Single((await Client.ListPersonsAsync(new ListPersonsRequest(), For(tenant))).Persons).DisplayName);
        Assert.Equal(0, await fixture.CountAsOwnerAsync(tenant, "person.external_identity_links"));
    }

    [Theory]
    [InlineData("", "x", "employee_number is required")]
    [InlineData(" E1", "x", "employee_number must not start or end with whitespace")]
    [InlineData("E1\t", "x", "employee_number must not contain control characters")]
    [InlineData("E1", "", "display_name is required")]
    [InlineData("E1", "   ", "display_name must not be only whitespace")]
    [InlineData("E1", "a\u0000b", "display_name must not contain control characters")]
    [InlineData("long-number", "x", "employee_number must be at most 64 characters")]
    [InlineData("E1", "long-name", "display_name must be at most 200 characters")]
    public async Task Bad_person_fields_have_a_stable_code_and_change_nothing(string number, string name, string expected)
    {
        if (number == "long-number") number = new string('9', 65);
        if (name == "long-name") name = new string('名', 201);

        var e = await Assert.ThrowsAsync<RpcException>(
            async () => await Client.CreatePersonAsync(new CreatePersonRequest { EmployeeNumber = number, DisplayName = name }, For(tenant)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("IDENTITY_INVALID_ARGUMENT: " + expected, e.Status.Detail);
        Assert.Equal(0, await fixture.CountAsOwnerAsync(tenant, "person.persons"));
    }

    [Theory]
    [InlineData(IdentityProvider.Unspecified, "u1", "", "provider must be IDENTITY_PROVIDER_DINGTALK or IDENTITY_PROVIDER_WECOM")]
    [InlineData((IdentityProvider)9, "u1", "", "provider must be IDENTITY_PROVIDER_DINGTALK or IDENTITY_PROVIDER_WECOM")]
    [InlineData(IdentityProvider.Dingtalk, "", "", "external_user_id is required")]
    [InlineData(IdentityProvider.Dingtalk, "u\n1", "", "external_user_id must not contain control characters")]
    [InlineData(IdentityProvider.Dingtalk, "u1", "union\u0007", "union_id must not contain control characters")]
    public async Task Bad_link_fields_have_a_stable_code_and_change_nothing(IdentityProvider provider, string externalUserId, string unionId, string expected)
    {
        var person = await Client.CreatePersonAsync(tenant, "V-2");

        var e = await Assert.ThrowsAsync<RpcException>(async () => await Client.LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = provider, ExternalUserId = externalUserId, UnionId = unionId, PersonUuid = person.PersonUuid,
        }, For(tenant)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("IDENTITY_INVALID_ARGUMENT: " + expected, e.Status.Detail);
        Assert.Equal(0, await fixture.CountAsOwnerAsync(tenant, "person.external_identity_links"));
    }
}
