using HrmsAttendance.AppHost.Tests.Distributed.Hostile;
using Xunit.Abstractions;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// Hostile-input property tests (issue 15): every kind of bad input in <see cref="HostileKinds.All"/> (NUL and control
/// characters, bytes that are not UTF-8, huge and empty strings, uuids that are not in the "D" format, dates and
/// timestamps at and beyond the ends of the calendar, enum numbers and sizes the contract does not have, JSON that
/// jsonb cannot hold, protobuf with wrong wire types and undefined fields, broken gRPC frames, oversized messages and
/// headers, gRPC over HTTP/1.1, unknown and repeated query parameters) is sent to every RPC and JSON route it applies to,
/// through the gateway as a tenant admin, each case starting from a request the service accepts. The property: never
/// INTERNAL, UNKNOWN, a 5xx or a dropped stream; always the stable code of the service (or the gateway) that refused it,
/// naming the field; and the database exactly as before (every tenant table's rows and checksum, read as the superuser).
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class HostileInputTests(DistributedAppFixture fixture, ITestOutputHelper output)
{
    private static readonly SemaphoreSlim WorldLock = new(1, 1);
    private static HostileWorld? world;

    /// <summary>One world (tenant, seeded data) for every kind: the kinds run one after another in this class.</summary>
    private async Task<HostileWorld> WorldAsync()
    {
        await WorldLock.WaitAsync();
        try { return world ??= await HostileWorld.CreateAsync(fixture); }
        finally { WorldLock.Release(); }
    }

    public static TheoryData<string> Kinds => [.. HostileKinds.All.Select(k => k.Name)];

    [Fact]
    public void The_table_has_at_least_50_kinds_with_distinct_names()
    {
        Assert.True(HostileKinds.All.Count >= 50, $"{HostileKinds.All.Count} kinds");
        Assert.Equal(HostileKinds.All.Count, HostileKinds.All.Select(k => k.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Each_case_is_refused_with_a_stable_code_naming_the_field_and_changes_nothing(string kind)
    {
        var hostile = HostileKinds.Find(kind);
        var w = await WorldAsync();
        var before = await w.SnapshotAsync();

        var failures = new List<string>();
        var cases = 0;
        foreach (var c in hostile.Cases(w))
        {
            cases++;
            var answer = await w.Client.SendAsync(c.Request);
            var problems = Expectation.PropertyProblems(answer).Concat(c.Expect.Problems(answer)).ToList();
            if (problems.Count > 0) failures.Add($"{c.Where}: {string.Join("; ", problems)} — got {answer}");
        }
        var after = await w.SnapshotAsync();

        output.WriteLine($"{kind} ({hostile.What}): {cases} cases, {failures.Count} failed");
        Assert.True(cases > 0, $"{kind} applies to nothing");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases of {kind} ({hostile.What}):{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task The_requests_the_cases_start_from_are_accepted()
    {
        // A world of its own: these requests write (a punch, a person, a link, an unlink, an unmapped id).
        using var control = await HostileWorld.CreateAsync(fixture);
        var failures = new List<string>();
        foreach (var target in HostileTargets.All)
        {
            var answer = await control.Client.SendAsync(HostileKinds.BaseRequest(target, control));
            var problems = new Accepted(target is GrpcTarget { HasOutcomes: true }).Problems(answer).ToList();
            if (problems.Count > 0) failures.Add($"{target.Name}: {string.Join("; ", problems)}");
        }
        Assert.Empty(failures);
    }
}
