using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// Random ledgers for the equivalence tests: persons with a handful of punches over a few days, with many
/// punches on the rules' boundaries (tolerances, window edges, equal instants) and the rest anywhere.
/// Deterministic for a seed; set KERNEL_RANDOM_SEED to replay a failure.
/// </summary>
public sealed class RandomLedger(int seed, bool withRaw)
{
    public static readonly DateOnly FirstDay = new(2026, 6, 1);
    public const int Days = 4;

    public int Seed { get; } = seed;

    public static int SeedOr(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("KERNEL_RANDOM_SEED"), out var forced) ? forced : fallback;

    // (hour, minute, second, microsecond) on a local day
    private static readonly (int H, int M, int S, int Us)[] Boundaries =
    [
        (9, 0, 0, 0), (9, 5, 0, 0), (9, 5, 59, 999_999), (9, 6, 0, 0), (9, 6, 0, 1),
        (17, 54, 0, 0), (17, 54, 0, 1), (17, 55, 0, 0), (17, 59, 59, 999_999), (18, 0, 0, 0),
        (3, 0, 0, 0), (2, 59, 59, 999_999), (6, 0, 0, 0), (5, 59, 59, 999_999),
        (0, 0, 0, 0), (23, 59, 59, 999_999), (12, 0, 0, 0), (4, 30, 0, 0),
    ];

    public List<Punch> Generate(int persons, int maxPunchesPerPerson)
    {
        var random = new Random(Seed);
        var punches = new List<Punch>();
        for (var p = 0; p < persons; p++)
        {
            var person = new Guid(random.Next(), (short)random.Next(short.MaxValue), (short)random.Next(short.MaxValue),
                [.. Enumerable.Range(0, 8).Select(_ => (byte)random.Next(256))]);
            var count = random.Next(0, maxPunchesPerPerson + 1);
            var times = new List<DateTimeOffset>();
            for (var i = 0; i < count; i++)
            {
                var day = FirstDay.AddDays(random.Next(-1, Days));
                DateTimeOffset time;
                var kind = random.Next(10);
                if (kind < 5)
                {
                    var b = Boundaries[random.Next(Boundaries.Length)];
                    time = At(day, b.H, b.M, b.S, b.Us);
                }
                else if (kind < 6 && times.Count > 0)
                {
                    time = times[random.Next(times.Count)]; // an equal instant: order falls to event ids
                }
                else
                {
                    time = At(day, 0).AddSeconds(random.Next(24 * 3600));
                    if (random.Next(3) == 0) time = time.AddTicks(random.Next(1_000_000) * 10L);
                }
                times.Add(time);
                var type = withRaw
                    ? random.Next(3) switch { 0 => "IN", 1 => "OUT", _ => "RAW" }
                    : random.Next(2) == 0 ? "IN" : "OUT";
                punches.Add(new Punch(person, time, type, RequestId: $"rnd-{Seed}-{p}-{i}"));
            }
        }
        // Submission order is not time order: every later punch makes the kernel recompute earlier days.
        return [.. punches.OrderBy(_ => random.Next())];
    }

    /// <summary>
    /// Records the punches: half the persons through the single door (four concurrent writers, one
    /// transaction per punch), the other half through the batch door.
    /// </summary>
    public static async Task SubmitAsync(PostgresFixture fixture, Guid tenant, IReadOnlyList<Punch> punches)
    {
        // The ledger records punches of registered persons only: each generated person becomes a new person of the tenant.
        var generated = punches.Select(p => p.Person).Distinct().ToArray();
        var registered = await fixture.NewPersonsAsync(tenant, generated.Length);
        var personOf = generated.Zip(registered).ToDictionary(pair => pair.First, pair => pair.Second);
        punches = [.. punches.Select(p => p with { Person = personOf[p.Person] })];

        var viaSingle = punches.Where(p => p.Person.GetHashCode() % 2 == 0).ToList();
        var viaBatch = punches.Where(p => p.Person.GetHashCode() % 2 != 0).ToList();
        var writers = viaSingle.GroupBy(p => Math.Abs(p.Person.GetHashCode() % 4)).Select(group => Task.Run(async () =>
        {
            foreach (var p in group)
                Assert.False((await fixture.SubmitCommittedAsync(tenant, p)).Duplicate);
        })).ToList();
        foreach (var chunk in viaBatch.Chunk(500))
        {
            var rows = await fixture.SubmitBatchCommittedAsync(tenant, chunk);
            Assert.All(rows, r => Assert.Equal("ACCEPTED", r.Outcome));
        }
        await Task.WhenAll(writers);
    }

    /// <summary>Fails with the seed and the first differences when the two sets of results differ.</summary>
    public void AssertSame(string expectedName, IReadOnlyList<ResultValues> expected, IReadOnlyList<ResultValues> actual)
    {
        var expectedByKey = expected.ToDictionary(v => (v.Person, v.WorkDate));
        var actualByKey = actual.ToDictionary(v => (v.Person, v.WorkDate));
        var problems = new List<string>();
        foreach (var (key, value) in expectedByKey)
        {
            if (!actualByKey.TryGetValue(key, out var got)) problems.Add($"missing {key}: {expectedName} has {value}");
            else if (got != value) problems.Add($"differs {key}:\n    {expectedName}: {value}\n    kernel:   {got}");
        }
        problems.AddRange(actualByKey.Keys.Where(k => !expectedByKey.ContainsKey(k)).Select(k => $"unexpected {k}: {actualByKey[k]}"));
        Assert.True(problems.Count == 0,
            $"seed {Seed} (replay with KERNEL_RANDOM_SEED={Seed}): {problems.Count} of {expectedByKey.Count} results differ from {expectedName}:\n" +
            string.Join("\n", problems.Take(5)));
    }
}
