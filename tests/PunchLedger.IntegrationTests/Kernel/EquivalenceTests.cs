using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// The set-based kernel against two references on random ledgers: (1) the seed's own row-by-row
/// plpgsql, verbatim, on IN/OUT ledgers; (2) the independent C# calculator, with RAW punches.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EquivalenceTests(PostgresFixture fixture)
{
    private const int Persons = 300;
    private const int MaxPunchesPerPerson = 10;

    [Theory]
    [InlineData(20260601)]
    [InlineData(424242)]
    public async Task The_kernel_matches_the_seed_function_verbatim(int seed)
    {
        var ledger = new RandomLedger(RandomLedger.SeedOr(seed), withRaw: false);
        var tenant = PostgresFixture.NewTenant();
        await RandomLedger.SubmitAsync(fixture, tenant, ledger.Generate(Persons, MaxPunchesPerPerson));

        await using (var owner = await fixture.Owner.OpenConnectionAsync())
        await using (var create = new Npgsql.NpgsqlCommand(
            // One implicit transaction; the lock keeps two test runs from replacing the function at once.
            "SELECT pg_advisory_xact_lock(4711);\n" + SeedReference.CreateSchema + "\n" + SeedReference.RecomputeFunction, owner))
            await create.ExecuteNonQueryAsync();

        await using var tx = await fixture.BeginOwnerAsync(tenant);
        // The seed's function, once per day the kernel wrote (its lock and its upsert as written).
        await tx.ExecuteAsync(
            """
            SELECT reference.recompute_daily_attendance_result(r.tenant_id, r.person_uuid, r.work_date)
            FROM staffing.daily_attendance_results r WHERE r.tenant_id = $1
            """, tenant);
        var kernel = (await tx.ReadResultsAsync()).Select(r => r.Values).ToList();
        var seedResults = (await tx.ReadResultsAsync(table: "reference.daily_attendance_results")).Select(r => r.Values).ToList();
        ledger.AssertSame("seed §4.2.1", seedResults, kernel);

        // And the kernel wrote exactly the days the punches affect.
        var expectedDays = ReferenceDailyResultCalculator.ComputeAll(await tx.ReadEventsAsync()).Select(v => (v.Person, v.WorkDate)).ToHashSet();
        Assert.True(expectedDays.SetEquals(kernel.Select(v => (v.Person, v.WorkDate))), $"seed {ledger.Seed}: the set of days differs");
        Assert.True(kernel.Count > Persons, "the ledger should produce results");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(77)]
    public async Task The_kernel_matches_the_reference_calculator_with_raw_punches(int seed)
    {
        var ledger = new RandomLedger(RandomLedger.SeedOr(seed), withRaw: true);
        var tenant = PostgresFixture.NewTenant();
        await RandomLedger.SubmitAsync(fixture, tenant, ledger.Generate(Persons, MaxPunchesPerPerson));

        await using var tx = await fixture.BeginAppAsync(tenant);
        var expected = ReferenceDailyResultCalculator.ComputeAll(await tx.ReadEventsAsync());
        var kernel = (await tx.ReadResultsAsync()).Select(r => r.Values).ToList();
        ledger.AssertSame("C# reference", expected, kernel);
    }
}
