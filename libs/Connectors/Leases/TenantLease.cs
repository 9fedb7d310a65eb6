using StackExchange.Redis;

namespace HrmsAttendance.Connectors.Leases;

/// <summary>A held lease: its holder and its fencing token (larger than every earlier holder's of the same tenant).</summary>
public sealed record LeaseGrant(Guid Tenant, string Holder, long FencingToken)
{
    public string Value => $"{Holder}:{FencingToken}";
}

/// <summary>
/// One replica holds a tenant's platform consumer at a time (DingTalk's stream, WeCom's poller): a Redis key per tenant and connector, set only when absent, with a time to
/// live the holder keeps renewing. Each grant takes a fencing token from a per-tenant counter (INCR), so a holder that
/// was paused past its lease finds on its next renewal that the value is no longer its own and stops its consumer
/// (renewal compares the whole value). Writes stay safe during such an overlap because the pipeline is idempotent
/// (request ids from the platform's ids); the lease keeps two replicas from both consuming the tenant's punches.
/// A hand-written script: the served lock packages (DistributedLock.Redis, RedLock.net) hand out no fencing tokens.
/// </summary>
public sealed class TenantLease(IConnectionMultiplexer redis, ConnectorProvider provider)
{
    private const string AcquireScript = """
        if redis.call('exists', KEYS[1]) == 1 then return 0 end
        local token = redis.call('incr', KEYS[2])
        redis.call('set', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
        return token
        """;

    private const string RenewScript = """
        if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
        return 0
        """;

    /// <summary>This process: a holder name no other replica has.</summary>
    public string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public string LeaseKey(Guid tenant) => $"{provider.ServiceName}:lease:{tenant:D}";
    public string FencingKey(Guid tenant) => $"{provider.ServiceName}:fencing:{tenant:D}";

    public async Task<LeaseGrant?> TryAcquireAsync(Guid tenant, TimeSpan duration)
    {
        var token = (long)await redis.GetDatabase().ScriptEvaluateAsync(AcquireScript,
            [LeaseKey(tenant), FencingKey(tenant)], [Holder, (long)duration.TotalMilliseconds]);
        return token > 0 ? new LeaseGrant(tenant, Holder, token) : null;
    }

    /// <summary>False when the lease is no longer this grant's (expired, or another replica holds it now).</summary>
    public async Task<bool> RenewAsync(LeaseGrant grant, TimeSpan duration) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(RenewScript,
            [LeaseKey(grant.Tenant)], [grant.Value, (long)duration.TotalMilliseconds]) == 1;

    public async Task ReleaseAsync(LeaseGrant grant) =>
        await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [LeaseKey(grant.Tenant)], [grant.Value]);

    /// <summary>Who holds the tenant's lease now ("holder:token"), or null.</summary>
    public async Task<string?> CurrentAsync(Guid tenant) => await redis.GetDatabase().StringGetAsync(LeaseKey(tenant));
}
