using System.Data;
using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>Concurrent writers of one day, and rebuilding results from the ledger.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrencyAndRebuildTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 5, 4);

    /// <summary>Copies the tenant's results, deletes them, rebuilds them as the owner, and returns (before, after).</summary>
    private async Task<(List<ResultValues> Before, List<ResultValues> After, int Rebuilt)> RebuildAsync(Guid tenant, DateOnly from, DateOnly to)
    {
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        var before = (await tx.ReadResultsAsync()).Select(r => r.Values).ToList();
        await tx.ExecuteAsync("DELETE FROM staffing.daily_attendance_results WHERE tenant_id = $1", tenant);
        var rebuilt = await tx.ScalarAsync<int>("SELECT staffing.rebuild_daily_attendance_results($1, $2, $3)", tenant, from, to);
        var after = (await tx.ReadResultsAsync()).Select(r => r.Values).ToList();
        await tx.CommitAsync();
        return (before, after, rebuilt);
    }

    [Fact]
    public async Task Sixteen_concurrent_writers_of_one_day_lose_nothing()
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        var random = new Random(16);
        var punches = Enumerable.Range(0, 16).Select(i => new Punch(person,
            At(D, 7).AddMinutes(random.Next(0, 14 * 60)).AddSeconds(random.Next(60)),
            (i % 3) switch { 0 => "IN", 1 => "OUT", _ => "RAW" })).ToList();

        using var start = new SemaphoreSlim(0);
        var writers = punches.Select(p => Task.Run(async () =>
        {
            await using var tx = await fixture.BeginAppAsync(tenant); // 16 connections, each its own transaction
            await start.WaitAsync();
            var result = await tx.SubmitAsync(p);
            await tx.CommitAsync();
            return result;
        })).ToList();
        start.Release(punches.Count);
        var results = await Task.WhenAll(writers);
        Assert.All(results, r => Assert.False(r.Duplicate));

        var (before, after, _) = await RebuildAsync(tenant, D.AddDays(-1), D);
        Assert.Equal(before, after);
        var day = before.Single(v => v.WorkDate == D);
        Assert.Equal(16, day.PunchCount);
        Assert.Equal(results.Max(r => r.EventId), day.MaxEventId);

        await using var tx = await fixture.BeginAppAsync(tenant);
        Assert.Equal(ReferenceDailyResultCalculator.Compute(person, D, await tx.ReadEventsAsync()), day);
    }

    [Fact]
    public async Task Concurrent_batches_over_the_same_people_lose_nothing()
    {
        var tenant = PostgresFixture.NewTenant();
        var persons = await fixture.NewPersonsAsync(tenant, 12);
        var batches = Enumerable.Range(0, 8).Select(b =>
        {
            var random = new Random(b);
            // Persons in different orders in each batch: the door sorts its locks, so no deadlock.
            return persons.OrderBy(_ => random.Next()).Select(p => new Punch(p,
                At(D, 0).AddMinutes(random.Next(0, 2 * 24 * 60)), random.Next(2) == 0 ? "IN" : "RAW")).ToList();
        }).ToList();
        await Task.WhenAll(batches.Select(batch => Task.Run(() => fixture.SubmitBatchCommittedAsync(tenant, batch))));

        await using var tx = await fixture.BeginAppAsync(tenant);
        var events = await tx.ReadEventsAsync();
        Assert.Equal(8 * 12, events.Count);
        var expected = ReferenceDailyResultCalculator.ComputeAll(events).ToDictionary(v => (v.Person, v.WorkDate));
        var actual = (await tx.ReadResultsAsync()).Select(r => r.Values).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(actual, v => Assert.Equal(expected[(v.Person, v.WorkDate)], v));
    }

    [Fact]
    public async Task Under_repeatable_read_a_result_recorded_after_the_snapshot_fails_the_write_as_a_serialization_failure()
    {
        // 0005's contract for callers that do not use READ COMMITTED; since 0026 the new result's plain insert meets the
        // other transaction's row, where ON CONFLICT DO UPDATE met it before: the same error either way.
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        await using var tx = await TenantTransaction.BeginAsync(fixture.App, tenant, IsolationLevel.RepeatableRead);
        await fixture.SubmitCommittedAsync(tenant, new Punch(person, At(D, 9), "IN")); // D-1 and D now have results

        var error = await Assert.ThrowsAsync<PostgresException>(() => tx.SubmitAsync(new Punch(person, At(D, 18), "OUT")));
        Assert.Equal(PostgresErrorCodes.SerializationFailure, error.SqlState);
    }

    [Fact]
    public async Task Concurrent_batches_claiming_the_same_request_ids_for_different_people_record_one_of_them()
    {
        // No person lock orders these batches: each one's insert waits on another's uncommitted keys, then finds
        // them taken (0026: its plain insert fails, and the statement with ON CONFLICT decides row by row).
        var tenant = PostgresFixture.NewTenant();
        var persons = await fixture.NewPersonsAsync(tenant, 6);
        var requestIds = Enumerable.Range(1, 3).Select(i => $"shared-{i}-{Guid.NewGuid()}").ToList();
        using var start = new SemaphoreSlim(0);
        var batches = persons.Select(p => Task.Run(async () =>
        {
            var batch = requestIds.Select((id, i) => new Punch(p, At(D, 9 + i), "RAW", RequestId: id)).ToList();
            await using var tx = await fixture.BeginAppAsync(tenant);
            await start.WaitAsync();
            var rows = await tx.SubmitBatchAsync(batch);
            await tx.CommitAsync();
            return rows;
        })).ToList();
        start.Release(persons.Length);
        var answers = await Task.WhenAll(batches);

        var winner = Assert.Single(answers, rows => rows.All(r => r.Outcome == "ACCEPTED"));
        Assert.All(answers.Where(rows => rows != winner), rows =>
            Assert.All(rows, r => Assert.Equal(("REJECTED", "STAFFING_IDEMPOTENCY_CONFLICT"), (r.Outcome, r.ErrorCode))));
        await using var read = await fixture.BeginAppAsync(tenant);
        Assert.Equal(3, (await read.ReadEventsAsync()).Count);
    }

    [Fact]
    public async Task Rebuilding_from_the_ledger_reproduces_every_result()
    {
        var tenant = PostgresFixture.NewTenant();
        var random = new Random(7);
        var persons = await fixture.NewPersonsAsync(tenant, 40);
        var punches = Enumerable.Range(0, 600).Select(_ => new Punch(
            persons[random.Next(persons.Length)],
            At(D, 0).AddMinutes(random.Next(-24 * 60, 5 * 24 * 60)).AddSeconds(random.Next(60)),
            random.Next(3) switch { 0 => "IN", 1 => "OUT", _ => "RAW" })).ToList();
        foreach (var chunk in punches.Take(400).Chunk(100))
            await fixture.SubmitBatchCommittedAsync(tenant, chunk);
        foreach (var p in punches.Skip(400))
            await fixture.SubmitCommittedAsync(tenant, p);

        var (before, after, rebuilt) = await RebuildAsync(tenant, D.AddDays(-10), D.AddDays(10));
        Assert.Equal(before.Count, rebuilt);
        Assert.Equal(before, after);

        // Rebuilding again finds nothing to change and rewrites nothing (computed_at stays).
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        var resultsAfter = await tx.ReadResultsAsync();
        Assert.Equal(0, await tx.ScalarAsync<int>("SELECT staffing.rebuild_daily_attendance_results($1, $2, $3)", tenant, D, D.AddDays(1)));
        Assert.Equal(resultsAfter, await tx.ReadResultsAsync());

        // A result changed behind the kernel's back is put right by a rebuild of its range.
        var victim = after.First(v => v.WorkDate == D);
        await tx.ExecuteAsync("UPDATE staffing.daily_attendance_results SET worked_minutes = worked_minutes + 7, status = 'ABSENT' WHERE tenant_id = $1 AND person_uuid = $2 AND work_date = $3",
            tenant, victim.Person, victim.WorkDate);
        Assert.Equal(1, await tx.ScalarAsync<int>("SELECT staffing.rebuild_daily_attendance_results($1, $2, $3)", tenant, D, D));
        Assert.Equal(after, (await tx.ReadResultsAsync()).Select(r => r.Values).ToList());
    }
}
