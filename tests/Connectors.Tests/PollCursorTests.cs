using HrmsAttendance.Connectors.Polling;
using Npgsql;

namespace HrmsAttendance.Connectors.Tests;

/// <summary>The poll cursors (<c>{schema}.poll_cursors</c>) on a real Postgres, as the WeCom connector's login sees them.</summary>
public sealed class PollCursorTests(ConnectorDatabaseFixture db) : IClassFixture<ConnectorDatabaseFixture>
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 4, 0, 0, TimeSpan.Zero);

    private static PollOutcome Window(DateTimeOffset end) => new(end.AddHours(-1), end, 10, 8, 1, 1);

    [Fact]
    public async Task The_cursor_moves_forward_only_and_a_failure_leaves_it()
    {
        var store = new PollCursorStore(db.WeCom, ConnectorProvider.WeCom);
        var tenant = Guid.NewGuid();
        Assert.Null(await store.ReadAsync(tenant, default));

        Assert.True(await store.SucceededAsync(tenant, 1, "replica-a", Window(Noon), default));
        Assert.True(await store.SucceededAsync(tenant, 1, "replica-a", Window(Noon.AddHours(-3)), default));
        Assert.True(await store.FailedAsync(tenant, 1, "replica-a", "WeCom errcode 45009: api freq out of limit", default));

        var cursor = (await store.ReadAsync(tenant, default))!;
        Assert.Equal(Noon, cursor.PolledUntil);
        Assert.Equal((3L, 1L), (cursor.Polls, cursor.Failures));
        Assert.Equal("WeCom errcode 45009: api freq out of limit", cursor.LastError);
        Assert.Equal((10, 8, 1, 1), (cursor.LastRecords, cursor.LastPunches, cursor.LastNoPunchRows, cursor.LastUnreadable));
    }

    [Fact]
    public async Task A_former_lease_holder_with_a_smaller_fencing_token_writes_nothing()
    {
        var store = new PollCursorStore(db.WeCom, ConnectorProvider.WeCom);
        var tenant = Guid.NewGuid();
        Assert.True(await store.SucceededAsync(tenant, 5, "replica-b", Window(Noon), default));

        Assert.False(await store.SucceededAsync(tenant, 4, "replica-a", Window(Noon.AddHours(2)), default));
        Assert.False(await store.FailedAsync(tenant, 4, "replica-a", "late", default));

        var cursor = (await store.ReadAsync(tenant, default))!;
        Assert.Equal((Noon, 5L, "replica-b", 0L), (cursor.PolledUntil!.Value, cursor.FencingToken, cursor.Holder!, cursor.Failures));
    }

    [Fact]
    public async Task Tenants_see_only_their_own_cursor_and_without_a_tenant_nothing_is_read()
    {
        var store = new PollCursorStore(db.WeCom, ConnectorProvider.WeCom);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await store.SucceededAsync(a, 1, "replica-a", Window(Noon), default);
        Assert.Null(await store.ReadAsync(b, default));

        await using var command = db.WeCom.CreateCommand("SELECT count(*) FROM wecom.poll_cursors");
        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
        Assert.Contains(e.SqlState, new[] { "42704", "22P02" });
    }
}
