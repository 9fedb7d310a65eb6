using HrmsAttendance.Contracts.Identity.V1;
using Grpc.Core;
using static HrmsAttendance.IdentityMapping.IntegrationTests.Calls;
using static HrmsAttendance.IdentityMapping.IntegrationTests.IdentityMappingServiceFixture;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>LinkIdentity and UnlinkIdentity: no silent overwrite, history kept, relinking.</summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class LinkTests(IdentityMappingServiceFixture fixture)
{
    private readonly Guid tenant = Guid.NewGuid();
    private IdentityMappingClient Client => fixture.Client;

    private Task<List<Dictionary<string, object?>>> LinkRowsAsync(string externalUserId) =>
        fixture.QueryAsOwnerAsync(tenant, """
            SELECT person_uuid::text AS person_uuid, linked_by, unlinked_at, unlinked_by
            FROM person.external_identity_links WHERE external_user_id = $1 ORDER BY id
            """, externalUserId);

    [Fact]
    public async Task A_link_resolves_and_records_who_made_it()
    {
        var person = await Client.CreatePersonAsync(tenant, "L-1");

        var link = await Client.LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = IdentityProvider.Dingtalk,
            ExternalUserId = "manager4451",
            UnionId = "iSvRZz5sN0zbEiE",
            PersonUuid = person.PersonUuid,
        }, For(tenant, principal: "admin-7"));

        Assert.Equal((IdentityProvider.Dingtalk, "manager4451", "iSvRZz5sN0zbEiE", person.PersonUuid, "admin-7"),
            (link.Provider, link.ExternalUserId, link.UnionId, link.PersonUuid, link.LinkedBy));
        Assert.NotNull(link.LinkedAt);
        Assert.Null(link.UnlinkedAt);
        Assert.Equal([person.PersonUuid], await Client.ResolveAsync(tenant, ["manager4451"]));
    }

    [Fact]
    public async Task A_second_link_of_the_same_id_is_refused_naming_the_linked_person()
    {
        var first = await Client.CreatePersonAsync(tenant, "L-2");
        var second = await Client.CreatePersonAsync(tenant, "L-3");
        await Client.LinkAsync(tenant, "u-dup", first);

        var e = await AssertRefusedAsync(StatusCode.AlreadyExists, "IDENTITY_LINK_EXISTS",
            () => Client.LinkAsync(tenant, "u-dup", second));
        Assert.Contains(first.PersonUuid, e.Status.Detail);
        Assert.Contains("L-2", e.Status.Detail);

        // Linking it to the same person again is a retry: the existing link comes back, nothing is added.
        var original = (await LinkRowsAsync("u-dup")).Single();
        var retried = await Client.LinkAsync(tenant, "u-dup", first);
        Assert.Equal(first.PersonUuid, retried.PersonUuid);
        Assert.Equal(original, (await LinkRowsAsync("u-dup")).Single());

        // Never a silent overwrite: still the first person, one row.
        Assert.Equal([first.PersonUuid], await Client.ResolveAsync(tenant, ["u-dup"]));
        Assert.Single(await LinkRowsAsync("u-dup"));
    }

    [Fact]
    public async Task Unlinking_keeps_the_row_as_history_and_the_id_can_be_linked_again()
    {
        var first = await Client.CreatePersonAsync(tenant, "L-4");
        var second = await Client.CreatePersonAsync(tenant, "L-5");
        await Client.LinkAsync(tenant, "u-move", first, principal: "admin-a");

        var ended = await Client.UnlinkAsync(tenant, "u-move", principal: "admin-b");

        Assert.Equal((first.PersonUuid, "admin-a", "admin-b"), (ended.PersonUuid, ended.LinkedBy, ended.UnlinkedBy));
        Assert.True(ended.UnlinkedAt.ToDateTimeOffset() >= ended.LinkedAt.ToDateTimeOffset());
        Assert.Equal([""], await Client.ResolveAsync(tenant, ["u-move"]));
        var history = Assert.Single(await LinkRowsAsync("u-move"));
        Assert.Equal((first.PersonUuid, "admin-a", "admin-b"), ((string)history["person_uuid"]!, history["linked_by"], history["unlinked_by"]));
        Assert.NotNull(history["unlinked_at"]);

        // Unlinking what is no longer linked is not found.
        await AssertRefusedAsync(StatusCode.NotFound, "IDENTITY_LINK_NOT_FOUND", () => Client.UnlinkAsync(tenant, "u-move"));

        // Relink to someone else: resolves to them, and both rows are kept.
        await Client.LinkAsync(tenant, "u-move", second, principal: "admin-c");
        Assert.Equal([second.PersonUuid], await Client.ResolveAsync(tenant, ["u-move"]));
        var rows = await LinkRowsAsync("u-move");
        Assert.Equal([first.PersonUuid, second.PersonUuid], rows.Select(r => (string)r["person_uuid"]!));
        Assert.Equal([false, true], rows.Select(r => r["unlinked_at"] is null));
    }

    [Fact]
    public async Task Unlinking_an_unknown_link_is_not_found()
    {
        await AssertRefusedAsync(StatusCode.NotFound, "IDENTITY_LINK_NOT_FOUND", () => Client.UnlinkAsync(tenant, "never-linked"));
    }

    [Fact]
    public async Task Linking_to_an_unknown_or_inactive_person_is_refused()
    {
        var ghost = new Person { PersonUuid = Guid.NewGuid().ToString() };
        await AssertRefusedAsync(StatusCode.NotFound, "IDENTITY_PERSON_NOT_FOUND", () => Client.LinkAsync(tenant, "u-ghost", ghost));

        var leaver = await Client.CreatePersonAsync(tenant, "L-6");
        await Client.UpdatePersonAsync(new UpdatePersonRequest { PersonUuid = leaver.PersonUuid, Active = false }, For(tenant));
        var e = await AssertRefusedAsync(StatusCode.FailedPrecondition, "IDENTITY_PERSON_INACTIVE",
            () => Client.LinkAsync(tenant, "u-leaver", leaver));
        Assert.Contains(leaver.PersonUuid, e.Status.Detail);

        Assert.Equal(0, await fixture.CountAsOwnerAsync(tenant, "person.external_identity_links"));
    }

    [Fact]
    public async Task Deactivating_a_person_keeps_their_existing_links()
    {
        // Late punches of someone who left still belong to them; ending a link is an explicit Unlink.
        var person = await Client.CreatePersonAsync(tenant, "L-7");
        await Client.LinkAsync(tenant, "u-left", person);
        await Client.UpdatePersonAsync(new UpdatePersonRequest { PersonUuid = person.PersonUuid, Active = false }, For(tenant));

        Assert.Equal([person.PersonUuid], await Client.ResolveAsync(tenant, ["u-left"]));
    }

    [Fact]
    public async Task The_same_user_id_on_two_platforms_is_two_independent_links()
    {
        var a = await Client.CreatePersonAsync(tenant, "L-8");
        var b = await Client.CreatePersonAsync(tenant, "L-9");
        await Client.LinkAsync(tenant, "zhangsan", a, IdentityProvider.Dingtalk);
        await Client.LinkAsync(tenant, "zhangsan", b, IdentityProvider.Wecom);

        Assert.Equal([a.PersonUuid], await Client.ResolveAsync(tenant, ["zhangsan"], provider: IdentityProvider.Dingtalk));
        Assert.Equal([b.PersonUuid], await Client.ResolveAsync(tenant, ["zhangsan"], provider: IdentityProvider.Wecom));

        await Client.UnlinkAsync(tenant, "zhangsan", IdentityProvider.Wecom);
        Assert.Equal([a.PersonUuid], await Client.ResolveAsync(tenant, ["zhangsan"], provider: IdentityProvider.Dingtalk));
    }

    [Fact]
    public async Task Concurrent_links_of_one_id_leave_exactly_one_winner()
    {
        var people = new List<Person>();
        for (var i = 0; i < 8; i++) people.Add(await Client.CreatePersonAsync(tenant, $"R-{i}"));

        var attempts = people.Select(async p =>
        {
            try { await Client.LinkAsync(tenant, "u-race", p); return (StatusCode?)null; }
            catch (RpcException e) { return e.StatusCode; }
        }).ToList();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(StatusCode.AlreadyExists, o));
        Assert.Single(await LinkRowsAsync("u-race"));
    }
}
