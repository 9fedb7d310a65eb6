using System.Text.Json;
using HrmsAttendance.Contracts.Identity.V1;
using Npgsql;
using static HrmsAttendance.IdentityMapping.IntegrationTests.Calls;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>
/// identity-mapping's outbox (migration 0008): the link and unlink doors write ExternalIdentityLinked / ExternalIdentityUnlinked
/// in their own transaction, with its traceparent, and only for real changes; the relay's functions claim in order, skip
/// what another relay holds, give rows back on rollback, mark and prune. The functions claim every tenant's rows (the
/// relay serves the whole outbox), so each test claims everything and looks at its own. The fixture's service keeps its
/// own relay asleep (Outbox:IdleDelay), so only these tests claim.
/// </summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class OutboxTests(IdentityMappingServiceFixture fixture)
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private readonly Guid tenant = Guid.NewGuid();

    private sealed record Claimed(long OutboxId, long Position, Guid Tenant, string Type, JsonElement Payload, string? TraceParent,
        DateTimeOffset CreatedAt);

    private static async Task<List<Claimed>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int limit = 10_000)
    {
        await using var command = new NpgsqlCommand(
            "SELECT outbox_id, message_position, tenant_id, message_type, payload, trace_parent, created_at FROM person.claim_outbox_messages($1)",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var claimed = new List<Claimed>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            claimed.Add(new Claimed(reader.GetInt64(0), reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3),
                reader.GetFieldValue<JsonElement>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
        return claimed;
    }

    private static async Task<int> MarkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<long> ids)
    {
        await using var command = new NpgsqlCommand("SELECT person.mark_outbox_published($1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct().ToArray() });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Claims (and with <paramref name="mark"/> publishes) everything unpublished; returns this test's tenant's messages.</summary>
    private async Task<List<Claimed>> ClaimMineAsync(bool mark = false)
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var claimed = await ClaimAsync(connection, transaction);
        if (mark) await MarkAsync(connection, transaction, claimed.Select(c => c.OutboxId));
        await transaction.CommitAsync();
        return [.. claimed.Where(c => c.Tenant == tenant)];
    }

    /// <summary>Calls a door as the service does (TenantScopedBatch): tenant and traceparent set in the transaction.</summary>
    private async Task DoorAsync(string? traceParent, string sql, params object?[] parameters)
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand(
            "SELECT set_config('app.current_tenant', $1, true), set_config('app.trace_parent', $2, true)", connection, transaction))
        {
            set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
            set.Parameters.Add(new NpgsqlParameter { Value = traceParent ?? "" });
            await set.ExecuteNonQueryAsync();
        }
        await using (var door = new NpgsqlCommand(sql, connection, transaction))
        {
            foreach (var p in parameters) door.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
            await door.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    private Task LinkAsync(string externalUserId, string person, string? traceParent = TraceParent) =>
        DoorAsync(traceParent, "SELECT * FROM person.link_identity('DINGTALK', $1, NULL, $2::uuid, 'admin-1')", externalUserId, person);

    private Task UnlinkAsync(string externalUserId, string? traceParent = TraceParent) =>
        DoorAsync(traceParent, "SELECT * FROM person.unlink_identity('DINGTALK', $1, 'admin-1')", externalUserId);

    private async Task<List<Dictionary<string, object?>>> RowsAsync() =>
        await fixture.QueryAsOwnerAsync(tenant, "SELECT id, message_type, payload::text AS payload, trace_parent, created_at, published_at FROM person.outbox ORDER BY id");

    [Fact]
    public async Task A_link_writes_one_unpublished_ExternalIdentityLinked_with_the_trace_context_of_its_transaction()
    {
        var person = await fixture.Client.CreatePersonAsync(tenant, "O-1");

        await LinkAsync("outbox-user-1", person.PersonUuid);

        var row = Assert.Single(await RowsAsync());
        Assert.Equal("ExternalIdentityLinked", row["message_type"]);
        Assert.Equal(TraceParent, row["trace_parent"]);
        Assert.Null(row["published_at"]);
        var link = (await fixture.QueryAsOwnerAsync(tenant, "SELECT id, linked_at FROM person.external_identity_links")).Single();
        Assert.Equal(link["linked_at"], row["created_at"]);

        var claimed = Assert.Single(await ClaimMineAsync());
        Assert.Equal(("ExternalIdentityLinked", 1L, TraceParent, (long)row["id"]!), (claimed.Type, claimed.Position, claimed.TraceParent, claimed.OutboxId));
        Assert.Equal("DINGTALK", claimed.Payload.GetProperty("provider").GetString());
        Assert.Equal("outbox-user-1", claimed.Payload.GetProperty("external_user_id").GetString());
        Assert.Equal(person.PersonUuid, claimed.Payload.GetProperty("person_uuid").GetString());
        Assert.Equal((long)link["id"]!, claimed.Payload.GetProperty("link_id").GetInt64());
    }

    [Fact]
    public async Task An_unlink_writes_ExternalIdentityUnlinked_at_the_time_the_link_ended()
    {
        var person = await fixture.Client.CreatePersonAsync(tenant, "O-2");
        await LinkAsync("outbox-user-2", person.PersonUuid);

        await UnlinkAsync("outbox-user-2", traceParent: null);

        var rows = await RowsAsync();
        Assert.Equal(["ExternalIdentityLinked", "ExternalIdentityUnlinked"], rows.Select(r => (string)r["message_type"]!));
        Assert.Null(rows[1]["trace_parent"]); // outside a trace: NULL, not ''
        var ended = (await fixture.QueryAsOwnerAsync(tenant, "SELECT unlinked_at FROM person.external_identity_links")).Single();
        Assert.Equal(ended["unlinked_at"], rows[1]["created_at"]);
        var claimed = await ClaimMineAsync();
        Assert.Equal(["ExternalIdentityLinked", "ExternalIdentityUnlinked"], claimed.Select(c => c.Type));
        Assert.Equal(person.PersonUuid, claimed[1].Payload.GetProperty("person_uuid").GetString());
        Assert.Equal("outbox-user-2", claimed[1].Payload.GetProperty("external_user_id").GetString());
    }

    [Fact]
    public async Task Only_real_changes_announce_an_idempotent_relink_a_refused_link_and_a_refused_unlink_write_nothing()
    {
        var person = await fixture.Client.CreatePersonAsync(tenant, "O-3");
        var other = await fixture.Client.CreatePersonAsync(tenant, "O-4");
        await LinkAsync("outbox-user-3", person.PersonUuid);

        await LinkAsync("outbox-user-3", person.PersonUuid); // a retry of the same link: answered with the existing one
        var taken = await Assert.ThrowsAsync<PostgresException>(() => LinkAsync("outbox-user-3", other.PersonUuid));
        Assert.Equal("IDENTITY_LINK_EXISTS", taken.MessageText);
        var missing = await Assert.ThrowsAsync<PostgresException>(() => UnlinkAsync("never-linked"));
        Assert.Equal("IDENTITY_LINK_NOT_FOUND", missing.MessageText);

        Assert.Equal(["ExternalIdentityLinked"], (await RowsAsync()).Select(r => (string)r["message_type"]!));
    }

    [Fact]
    public async Task A_link_rolled_back_leaves_no_message()
    {
        var person = await fixture.Client.CreatePersonAsync(tenant, "O-5");
        await using (var connection = await fixture.App.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, transaction))
            {
                set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
                await set.ExecuteNonQueryAsync();
            }
            await using (var door = new NpgsqlCommand("SELECT * FROM person.link_identity('WECOM', 'rolled-back', NULL, $1::uuid, NULL)", connection, transaction))
            {
                door.Parameters.Add(new NpgsqlParameter { Value = person.PersonUuid });
                await door.ExecuteNonQueryAsync();
            }
            await transaction.RollbackAsync();
        }
        Assert.Empty(await RowsAsync());
    }

    [Fact]
    public async Task LinkIdentity_through_the_service_stores_the_calls_trace_context()
    {
        var person = await fixture.Client.CreatePersonAsync(tenant, "O-6");
        string traceId;
        // The service runs in this process, and a traceparent header of our own did not reach its request's activity
        // (the client's in-process propagation took over), so the call is made inside an activity of a known trace.
        using (var caller = new System.Diagnostics.Activity("test caller")
                   .SetParentId(System.Diagnostics.ActivityTraceId.CreateRandom(), System.Diagnostics.ActivitySpanId.CreateRandom(),
                       System.Diagnostics.ActivityTraceFlags.Recorded)
                   .Start())
        {
            traceId = caller.TraceId.ToHexString();
            await fixture.Client.LinkAsync(tenant, "outbox-user-6", person, IdentityProvider.Wecom);
        }
        await fixture.Client.UnlinkAsync(tenant, "outbox-user-6", IdentityProvider.Wecom);

        var rows = await RowsAsync();
        Assert.Equal(["ExternalIdentityLinked", "ExternalIdentityUnlinked"], rows.Select(r => (string)r["message_type"]!));
        Assert.StartsWith($"00-{traceId}-", (string)rows[0]["trace_parent"]!);
        Assert.Contains("\"provider\": \"WECOM\"", (string)rows[0]["payload"]!);
    }

    [Fact]
    public async Task A_marked_row_is_not_claimed_again_a_second_relay_skips_held_rows_and_a_rolled_back_claim_gives_them_back()
    {
        await ClaimMineAsync(mark: true);
        for (var i = 0; i < 4; i++)
            await LinkAsync($"outbox-batch-{i}", (await fixture.Client.CreatePersonAsync(tenant, $"OB-{i}")).PersonUuid);

        await using var first = await fixture.App.OpenConnectionAsync();
        await using var second = await fixture.App.OpenConnectionAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        var firstRows = (await ClaimAsync(first, firstTransaction, limit: 2)).Select(c => c.OutboxId).ToList();
        Assert.Equal(2, firstRows.Count);

        await using (var secondTransaction = await second.BeginTransactionAsync())
        {
            var secondRows = (await ClaimAsync(second, secondTransaction)).Where(c => c.Tenant == tenant).Select(c => c.OutboxId).ToList();
            Assert.Equal(2, secondRows.Count);
            Assert.Empty(secondRows.Intersect(firstRows));
            Assert.Equal(2, await MarkAsync(second, secondTransaction, secondRows));
            await secondTransaction.CommitAsync();
        }

        // The first relay dies before marking: its rows are claimable again, and only they are.
        await firstTransaction.RollbackAsync();
        var again = await ClaimMineAsync(mark: true);
        Assert.Equal(firstRows, again.Select(c => c.OutboxId));
        Assert.Empty(await ClaimMineAsync());
        Assert.All(await RowsAsync(), r => Assert.NotNull(r["published_at"]));
    }

    [Fact]
    public async Task Backlog_counts_unpublished_rows_and_prune_deletes_only_published_rows_older_than_the_cutoff()
    {
        await ClaimMineAsync(mark: true);
        var person = await fixture.Client.CreatePersonAsync(tenant, "O-7");
        await LinkAsync("outbox-user-7", person.PersonUuid);
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using (var backlog = new NpgsqlCommand("SELECT unpublished, oldest_unpublished_at FROM person.outbox_backlog()", connection))
        await using (var reader = await backlog.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal(1L, reader.GetInt64(0));
            Assert.False(reader.IsDBNull(1));
        }
        await ClaimMineAsync(mark: true);

        async Task<int> PruneAsync(DateTimeOffset before)
        {
            await using var prune = new NpgsqlCommand("SELECT person.prune_published_outbox($1, 100000)", connection);
            prune.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime });
            return (int)(await prune.ExecuteScalarAsync())!;
        }

        await PruneAsync(DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Single(await RowsAsync());
        Assert.True(await PruneAsync(DateTimeOffset.UtcNow.AddMinutes(1)) >= 1);
        Assert.Empty(await RowsAsync());
    }

    [Theory]
    [InlineData("SELECT count(*) FROM person.outbox")]
    [InlineData("INSERT INTO person.outbox (tenant_id, message_type, payload) VALUES (current_setting('app.current_tenant')::uuid, 'ExternalIdentityLinked', '{}')")]
    [InlineData("UPDATE person.outbox SET published_at = now()")]
    [InlineData("DELETE FROM person.outbox")]
    [InlineData("SELECT * FROM person.enter_outbox_relay()")]
    public async Task The_service_role_cannot_touch_the_outbox_itself_even_with_the_relay_setting(string sql)
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT set_config('app.current_tenant', '{tenant}', true), set_config('app.outbox_relay', 'on', true);
            {sql};
            """, connection, transaction);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task A_claim_limit_out_of_range_is_refused()
    {
        await using var connection = await fixture.App.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ClaimAsync(connection, transaction, limit: 0));
        Assert.Equal("22023", refused.SqlState);
    }
}
