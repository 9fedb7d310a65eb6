using System.Globalization;
using HrmsAttendance.Connectors.Integration;
using StackExchange.Redis;

namespace HrmsAttendance.DingTalkConnector.Monitoring;

/// <summary>What the holder of a tenant's stream reports about it.</summary>
public sealed record StreamStatus(
    string State,
    string Holder,
    long FencingToken,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset? LastEventAt,
    string LastEventId,
    long EventsAcknowledged,
    long EventsDeferred,
    long Reconnects,
    string LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>
/// The stream's status per tenant, in a Redis hash the holder writes (any replica answers the status call). Not
/// authoritative: losing it loses a display until the holder's next write.
/// </summary>
public sealed class StreamStatusStore(IConnectionMultiplexer redis, TimeProvider time) : IConsumerStatusSource<StreamStatus>
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    public static string Key(Guid tenant) => $"dingtalk-connector:status:{tenant:D}";

    public Task ConnectingAsync(Guid tenant, string holder, long fencingToken) => SetAsync(tenant,
        ("state", "connecting"), ("holder", holder), ("fencing_token", fencingToken.ToString(CultureInfo.InvariantCulture)));

    public Task ConnectedAsync(Guid tenant) => SetAsync(tenant, ("state", "connected"), ("connected_at", Now()));

    public async Task DisconnectedAsync(Guid tenant, string state = "disconnected")
    {
        await SetAsync(tenant, ("state", state));
        await redis.GetDatabase().HashIncrementAsync(Key(tenant), "reconnects");
    }

    /// <summary><paramref name="count"/> events answered (acknowledged SUCCESS, or LATER), the last of them <paramref name="lastEventId"/>.</summary>
    public async Task EventsAsync(Guid tenant, string lastEventId, int count, bool acknowledged)
    {
        await SetAsync(tenant, ("last_event_at", Now()), ("last_event_id", lastEventId));
        await redis.GetDatabase().HashIncrementAsync(Key(tenant), acknowledged ? "events_acknowledged" : "events_deferred", count);
    }

    /// <summary>The error's message only (never a request: nothing secret reaches here).</summary>
    public Task ErrorAsync(Guid tenant, string message) =>
        SetAsync(tenant, ("last_error", message.Length > 500 ? message[..500] : message), ("last_error_at", Now()));

    public Task StoppedAsync(Guid tenant) => SetAsync(tenant, ("state", "stopped"));

    public async Task<StreamStatus?> ReadAsync(Guid tenant, CancellationToken ct)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(Key(tenant));
        if (entries.Length == 0) return null;
        var values = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        string Text(string name) => values.GetValueOrDefault(name) ?? "";
        long Number(string name) => long.TryParse(Text(name), CultureInfo.InvariantCulture, out var n) ? n : 0;
        DateTimeOffset? Time(string name) =>
            DateTimeOffset.TryParse(Text(name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : null;
        return new StreamStatus(Text("state"), Text("holder"), Number("fencing_token"), Time("connected_at"), Time("last_event_at"),
            Text("last_event_id"), Number("events_acknowledged"), Number("events_deferred"), Number("reconnects"),
            Text("last_error"), Time("last_error_at"));
    }

    private async Task SetAsync(Guid tenant, params (string Name, string Value)[] fields)
    {
        var db = redis.GetDatabase();
        await db.HashSetAsync(Key(tenant), fields.Select(f => new HashEntry(f.Name, f.Value)).ToArray());
        await db.KeyExpireAsync(Key(tenant), Retention);
    }

    private string Now() => time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}
