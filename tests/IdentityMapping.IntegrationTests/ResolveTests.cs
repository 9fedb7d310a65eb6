using HrmsAttendance.Contracts.Identity.V1;
using Grpc.Core;
using static HrmsAttendance.IdentityMapping.IntegrationTests.Calls;
using static HrmsAttendance.IdentityMapping.IntegrationTests.IdentityMappingServiceFixture;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>ResolveIdentities: exact, in request order, batches up to 1,000, and the unmapped queue it feeds.</summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class ResolveTests(IdentityMappingServiceFixture fixture)
{
    private readonly Guid tenant = Guid.NewGuid();
    private IdentityMappingClient Client => fixture.Client;

    [Fact]
    public async Task A_batch_of_one_thousand_resolves_exactly_in_request_order()
    {
        // 100 linked ids, each to its own person.
        var linked = new Dictionary<string, string>();
        await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var person = await Client.CreatePersonAsync(tenant, $"B{i:D3}");
            await Client.LinkAsync(tenant, $"emp-{i}", person);
            lock (linked) linked[$"emp-{i}"] = person.PersonUuid;
        }));

        // 1,000 ids: the linked ones (some twice), near misses that differ only by case or whitespace, strangers.
        string[] nearMisses(int i) => [$"EMP-{i}", $"Emp-{i}", $" emp-{i}", $"emp-{i} ", $"emp-{i}\u00a0", $"emp -{i}"];
        var ids = new List<string>();
        for (var i = 0; ids.Count < 1000; i++)
        {
            var k = i % 100;
            ids.Add($"emp-{k}");
            ids.AddRange(nearMisses(k));
            ids.Add($"stranger-{i}");
        }
        ids = ids.Take(1000).ToList();
        ids.Reverse(); // request order is not the order anything was created in

        var resolved = await Client.ResolveAsync(tenant, ids);

        Assert.Equal(1000, resolved.Length);
        Assert.Equal(ids.Select(id => linked.GetValueOrDefault(id, "")), resolved);
        Assert.Contains(resolved, r => r.Length > 0);
        Assert.True(ids.Distinct().Count() < ids.Count, "the batch repeats ids");
    }

    [Fact]
    public async Task More_than_one_thousand_ids_are_refused_whole_and_nothing_is_recorded()
    {
        var request = new ResolveIdentitiesRequest { Provider = IdentityProvider.Wecom, RecordUnmapped = true };
        request.ExternalUserIds.AddRange(Enumerable.Range(0, 1001).Select(i => $"w-{i}"));

        var e = await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.ResolveIdentitiesAsync(request, For(tenant)));

        Assert.Contains("1000", e.Status.Detail);
        Assert.Equal(0, await fixture.CountAsOwnerAsync(tenant, "person.unmapped_identities"));
    }

    [Theory]
    [InlineData("empty", "IDENTITY_INVALID_ARGUMENT: external_user_ids must not be empty")]
    [InlineData("blank", "IDENTITY_INVALID_ARGUMENT: external_user_ids[1] is required")]
    [InlineData("long", "IDENTITY_INVALID_ARGUMENT: external_user_ids[1] must be at most 128 characters")]
    [InlineData("control", "IDENTITY_INVALID_ARGUMENT: external_user_ids[1] must not contain control characters")]
    [InlineData("provider", "IDENTITY_INVALID_ARGUMENT: provider must be IDENTITY_PROVIDER_DINGTALK or IDENTITY_PROVIDER_WECOM")]
    public async Task A_bad_batch_is_refused_whole_and_records_nothing(string problem, string expected)
    {
        var request = new ResolveIdentitiesRequest { Provider = IdentityProvider.Dingtalk, RecordUnmapped = true };
        request.ExternalUserIds.AddRange(problem switch
        {
            "empty" => [],
            "blank" => ["ok", ""],
            "long" => ["ok", new string('x', 129)],
            "control" => ["ok", "a\0b"],
            _ => ["ok"],
        });
        if (problem == "provider") request.Provider = IdentityProvider.Unspecified;

        var e = await Assert.ThrowsAsync<RpcException>(async () => await Client.ResolveIdentitiesAsync(request, For(tenant)));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(expected, e.Status.Detail);
        Assert.Equal(0, await fixture.CountAsOwnerAsync(tenant, "person.unmapped_identities"));
    }

    [Fact]
    public async Task An_id_of_128_characters_of_any_script_is_fine()
    {
        var longest = string.Concat(Enumerable.Repeat("钉", 127)) + "😀"; // 128 characters, 129 UTF-16 units
        Assert.Equal([""], await Client.ResolveAsync(tenant, [longest], record: true));
        Assert.Equal(longest, Assert.Single(await Client.ListAllUnmappedAsync(tenant)).ExternalUserId);
    }

    [Fact]
    public async Task Record_unmapped_queues_unresolved_ids_and_linking_drains_them()
    {
        var known = await Client.CreatePersonAsync(tenant, "Q-1");
        await Client.LinkAsync(tenant, "known", known);

        var first = await Client.ResolveAsync(tenant, ["known", "ghost-a", "ghost-b", "ghost-a"], record: true);
        Assert.Equal([known.PersonUuid, "", "", ""], first);
        await Client.ResolveAsync(tenant, ["ghost-b"], record: true);
        await Client.ResolveAsync(tenant, ["ghost-c"], record: false); // asked, not recorded

        var queue = await Client.ListAllUnmappedAsync(tenant);
        Assert.Equal(["ghost-b", "ghost-a"], queue.Select(q => q.ExternalUserId)); // most recently seen first
        Assert.Equal([2, 2], queue.Select(q => q.ParkedPunchCount)); // every occurrence counts
        Assert.All(queue, q => Assert.Equal(IdentityProvider.Dingtalk, q.Provider));
        var b = queue[0];
        Assert.True(b.LastSeenAt.ToDateTimeOffset() > b.FirstSeenAt.ToDateTimeOffset());

        // The admin links ghost-a: it leaves the queue, and now resolves.
        var person = await Client.CreatePersonAsync(tenant, "Q-2");
        await Client.LinkAsync(tenant, "ghost-a", person);

        Assert.Equal(["ghost-b"], (await Client.ListAllUnmappedAsync(tenant)).Select(q => q.ExternalUserId));
        Assert.Empty(await fixture.QueryAsOwnerAsync(tenant, "SELECT 1 FROM person.unmapped_identities WHERE external_user_id = 'ghost-a'"));
        Assert.Equal([person.PersonUuid, ""], await Client.ResolveAsync(tenant, ["ghost-a", "ghost-b"], record: true));
    }

    [Fact]
    public async Task The_queue_is_paged_and_filtered_by_provider()
    {
        for (var i = 0; i < 7; i++)
        {
            await Client.ResolveAsync(tenant, [$"d-{i}"], record: true, provider: IdentityProvider.Dingtalk);
            await Client.ResolveAsync(tenant, [$"w-{i}"], record: true, provider: IdentityProvider.Wecom);
        }
        // Ids recorded by one call share last_seen_at: the order breaks the tie by provider, then id.
        await Client.ResolveAsync(tenant, ["tie-b", "tie-a"], record: true, provider: IdentityProvider.Wecom);

        var all = await Client.ListAllUnmappedAsync(tenant, pageSize: 3);
        Assert.Equal(16, all.Count);
        Assert.Equal(["tie-a", "tie-b", "w-6", "d-6", "w-5"], all.Take(5).Select(q => q.ExternalUserId));
        Assert.Equal(all.OrderByDescending(q => q.LastSeenAt.ToDateTimeOffset()).Select(q => q.LastSeenAt), all.Select(q => q.LastSeenAt));

        var dingtalk = await Client.ListAllUnmappedAsync(tenant, IdentityProvider.Dingtalk, pageSize: 2);
        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"d-{i}"), dingtalk.Select(q => q.ExternalUserId));
    }

    [Fact]
    public async Task A_bad_page_token_or_size_is_an_invalid_argument()
    {
        await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.ListUnmappedAsync(new ListUnmappedRequest { PageToken = "not-a-token" }, For(tenant)));
        // A persons token is not an unmapped-queue token.
        await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.ListUnmappedAsync(new ListUnmappedRequest { PageToken = "cDEKRTAwMQ" }, For(tenant)));
        await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.ListUnmappedAsync(new ListUnmappedRequest { PageSize = 501 }, For(tenant)));
        await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.ListPersonsAsync(new ListPersonsRequest { PageSize = -1 }, For(tenant)));
        await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.ListPersonsAsync(new ListPersonsRequest { PageToken = "%%%" }, For(tenant)));
        await AssertRefusedAsync(StatusCode.InvalidArgument, "IDENTITY_INVALID_ARGUMENT",
            () => Client.ListUnmappedAsync(new ListUnmappedRequest { Provider = (IdentityProvider)7 }, For(tenant)));
    }
}
