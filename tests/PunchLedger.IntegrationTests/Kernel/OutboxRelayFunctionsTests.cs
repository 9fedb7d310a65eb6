using System.Text.Json;
using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using Npgsql;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// The relay's functions (0009_outbox_relay.sql) as the service role calls them: claim in order with the trace context
/// and the days' input watermarks, skip what another relay holds, give rows back on rollback, mark, prune.
/// They claim every tenant's rows (the relay serves the whole outbox), so each test claims everything and looks at its own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class OutboxRelayFunctionsTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 7, 6);
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private sealed record Claimed(long OutboxId, long Position, Guid Tenant, string Type, JsonElement Payload, string? TraceParent);

    private static async Task<List<Claimed>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int limit = 10_000)
    {
        await using var command = new NpgsqlCommand(
            "SELECT outbox_id, message_position, tenant_id, message_type, payload, trace_parent FROM staffing.claim_outbox_messages($1)",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var claimed = new List<Claimed>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            claimed.Add(new Claimed(reader.GetInt64(0), reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3),
                reader.GetFieldValue<JsonElement>(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        return claimed;
    }

    private static async Task<int> MarkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<long> ids)
    {
        await using var command = new NpgsqlCommand("SELECT staffing.mark_outbox_published($1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct().ToArray() });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Submits as the service does: tenant and traceparent set in the transaction.</summary>
    private async Task SubmitTracedAsync(Guid tenant, Punch punch, string? traceParent)
    {
        await using var tx = await fixture.BeginAppAsync(tenant);
        await tx.ExecuteAsync("SELECT set_config('app.trace_parent', $1, true)", traceParent ?? "");
        await tx.SubmitAsync(punch);
        await tx.CommitAsync();
    }

    /// <summary>Publishes (marks) everything unpublished, so a test starts from an empty backlog.</summary>
    private async Task DrainAsync()
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var claimed = await ClaimAsync(connection, transaction);
            await MarkAsync(connection, transaction, claimed.Select(c => c.OutboxId));
            await transaction.CommitAsync();
            if (claimed.Count == 0) return;
        }
    }

    [Fact]
    public async Task A_claim_spells_out_the_rows_in_order_with_trace_context_and_watermarks_and_a_marked_row_is_not_claimed_again()
    {
        await DrainAsync();
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        await SubmitTracedAsync(tenant, new Punch(person, At(D, 9, 2), "IN"), TraceParent);
        await SubmitTracedAsync(tenant, new Punch(person, At(D, 18, 30), "OUT"), traceParent: null);

        await using var connection = await fixture.App.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var mine = (await ClaimAsync(connection, transaction)).Where(c => c.Tenant == tenant).ToList();
            Assert.Equal(["PunchRecorded", "DailyResultChanged", "DailyResultChanged", "PunchRecorded", "DailyResultChanged"],
                mine.Select(c => c.Type));
            Assert.Equal(mine.OrderBy(c => c.OutboxId).ThenBy(c => c.Position), mine);
            Assert.Equal([TraceParent, TraceParent, TraceParent, null, null], mine.Select(c => c.TraceParent));

            // The day's change after the OUT: PRESENT, counting both punches, up to the OUT's event.
            var last = mine[^1].Payload;
            Assert.Equal("PRESENT", last.GetProperty("status").GetString());
            Assert.Equal(2, last.GetProperty("input_punch_count").GetInt32());
            var results = await ReadResultsAsOwnerAsync(tenant, person);
            var today = results.Single(r => r.Values.WorkDate == D);
            Assert.Equal(today.Values.MaxEventId, last.GetProperty("input_max_punch_event_db_id").GetInt64());
            // The first change of the day was as of the IN alone.
            Assert.Equal(1, mine[2].Payload.GetProperty("input_punch_count").GetInt32());
            Assert.Equal(mine[0].Payload.GetProperty("event_id").GetInt64(), mine[2].Payload.GetProperty("input_max_punch_event_db_id").GetInt64());
            // The day before has no punches in its window: watermark 0 / none.
            Assert.Equal(0, mine[1].Payload.GetProperty("input_punch_count").GetInt32());
            Assert.Equal(JsonValueKind.Null, mine[1].Payload.GetProperty("input_max_punch_event_db_id").ValueKind);

            Assert.Equal(2, await MarkAsync(connection, transaction, mine.Select(c => c.OutboxId)));
            await transaction.CommitAsync();
        }
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            Assert.DoesNotContain(await ClaimAsync(connection, transaction), c => c.Tenant == tenant);
        }
    }

    [Fact]
    public async Task A_second_relay_skips_the_rows_the_first_holds_and_a_rolled_back_claim_gives_them_back()
    {
        await DrainAsync();
        var tenant = PostgresFixture.NewTenant();
        foreach (var (person, i) in (await fixture.NewPersonsAsync(tenant, 4)).Select((person, i) => (person, i)))
            await SubmitTracedAsync(tenant, new Punch(person, At(D, 9, i), "IN"), null);

        await using var first = await fixture.App.OpenConnectionAsync();
        await using var second = await fixture.App.OpenConnectionAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        // Each row holds 3 messages (the punch, its day and the day before): a limit of 4 messages takes two rows.
        var firstRows = (await ClaimAsync(first, firstTransaction, limit: 4)).Select(c => c.OutboxId).Distinct().ToList();
        Assert.Equal(2, firstRows.Count);

        await using (var secondTransaction = await second.BeginTransactionAsync())
        {
            var secondRows = (await ClaimAsync(second, secondTransaction)).Where(c => c.Tenant == tenant).Select(c => c.OutboxId).Distinct().ToList();
            Assert.Equal(2, secondRows.Count);
            Assert.Empty(secondRows.Intersect(firstRows));
            await MarkAsync(second, secondTransaction, secondRows);
            await secondTransaction.CommitAsync();
        }

        // The first relay dies before marking: its rows are claimable again, and only they are.
        await firstTransaction.RollbackAsync();
        await using var third = await second.BeginTransactionAsync();
        Assert.Equal(firstRows, (await ClaimAsync(second, third)).Where(c => c.Tenant == tenant).Select(c => c.OutboxId).Distinct());
    }

    [Fact]
    public async Task Backlog_counts_unpublished_rows_and_prune_deletes_only_published_rows_older_than_the_cutoff()
    {
        await DrainAsync();
        var tenant = PostgresFixture.NewTenant();
        await SubmitTracedAsync(tenant, new Punch(await fixture.NewPersonAsync(tenant), At(D, 10, 0), "IN"), null);
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using (var backlog = new NpgsqlCommand("SELECT unpublished, oldest_unpublished_at FROM staffing.outbox_backlog()", connection))
        await using (var reader = await backlog.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal(1L, reader.GetInt64(0));
            Assert.False(reader.IsDBNull(1));
        }
        await DrainAsync();

        async Task<int> PruneAsync(DateTimeOffset before)
        {
            await using var prune = new NpgsqlCommand("SELECT staffing.prune_published_outbox($1, 100000)", connection);
            prune.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime });
            return (int)(await prune.ExecuteScalarAsync())!;
        }
        async Task<long> RowsAsync()
        {
            await using var tx = await fixture.BeginOwnerAsync(tenant);
            return await tx.ScalarAsync<long>("SELECT count(*) FROM staffing.outbox WHERE tenant_id = $1", tenant);
        }

        await PruneAsync(DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal(1L, await RowsAsync());
        Assert.True(await PruneAsync(DateTimeOffset.UtcNow.AddMinutes(1)) >= 1);
        Assert.Equal(0L, await RowsAsync());
    }

    [Fact]
    public async Task The_service_role_still_cannot_read_the_outbox_itself_even_with_the_relay_setting()
    {
        await using var tx = await fixture.BeginAppAsync(PostgresFixture.NewTenant());
        await tx.ExecuteAsync("SELECT set_config('app.outbox_relay', 'on', true)");
        var refused = await Assert.ThrowsAsync<PostgresException>(() => tx.ScalarAsync<long>("SELECT count(*) FROM staffing.outbox"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task A_claim_takes_rows_until_they_hold_the_limit_in_messages_and_never_splits_a_batch_row()
    {
        await DrainAsync();
        var tenant = PostgresFixture.NewTenant();
        var persons = await fixture.NewPersonsAsync(tenant, 50);
        // One batch row of 100 punches (50 persons, IN + OUT: 100 PunchRecorded and 100 days), then two single punches.
        await fixture.SubmitBatchCommittedAsync(tenant, [.. persons.SelectMany(person => new[]
        {
            new Punch(person, At(D, 9, 0), "IN"), new Punch(person, At(D, 18, 0), "OUT"),
        })]);
        var single = await fixture.NewPersonsAsync(tenant, 2);
        await SubmitTracedAsync(tenant, new Punch(single[0], At(D, 9, 0), "IN"), null);
        await SubmitTracedAsync(tenant, new Punch(single[1], At(D, 9, 0), "IN"), null);

        await using var connection = await fixture.App.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // The batch row alone, whole, although it holds far more than 10 messages.
            var first = await ClaimAsync(connection, transaction, limit: 10);
            Assert.Single(first.Select(c => c.OutboxId).Distinct());
            Assert.Equal(200, first.Count);
            Assert.Equal(100, first.Count(c => c.Type == "PunchRecorded"));
            // The rest in the next pass of 10: both single rows (3 + 3 messages, then the backlog ends).
            await using var second = await fixture.App.OpenConnectionAsync();
            await using var secondTransaction = await second.BeginTransactionAsync();
            var rest = await ClaimAsync(second, secondTransaction, limit: 10);
            Assert.Equal(2, rest.Select(c => c.OutboxId).Distinct().Count());
            Assert.Equal(6, rest.Count);
        }
    }

    [Fact]
    public async Task A_claim_limit_out_of_range_is_refused()
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ClaimAsync(connection, transaction, limit: 0));
        Assert.Equal("22023", refused.SqlState);
    }

    private async Task<List<DailyResult>> ReadResultsAsOwnerAsync(Guid tenant, Guid person)
    {
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        return await tx.ReadResultsAsync(person);
    }
}
