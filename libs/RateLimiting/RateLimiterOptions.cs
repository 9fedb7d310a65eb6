namespace HrmsAttendance.RateLimiting;

public sealed class RateLimiterOptions
{
    /// <summary>Per principal 20 requests/s with bursts of 40; per tenant 200/s with bursts of 400.</summary>
    public static RateLimitPolicy DefaultLimits { get; } = new(
        PerTenant: new TokenBucketLimit(capacity: 400, refillPerSecond: 200),
        PerPrincipal: new TokenBucketLimit(capacity: 40, refillPerSecond: 20));

    /// <summary>The limits of every tenant without an entry in <see cref="TenantPolicies"/>.</summary>
    public RateLimitPolicy DefaultPolicy { get; set; } = DefaultLimits;

    /// <summary>Limits for particular tenants (by tenant id, ordinal comparison).</summary>
    public IDictionary<string, RateLimitPolicy> TenantPolicies { get; } = new Dictionary<string, RateLimitPolicy>(StringComparer.Ordinal);

    /// <summary>
    /// Prefix of the Redis keys: the tenant bucket is <c>{prefix}{tenant}</c>, the principal bucket
    /// <c>{prefix}{tenant}:principal</c>, with literal braces (see README). Default <c>rl:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "rl:";

    /// <summary>How long one Redis call may take before the limiter falls back to local buckets. Default 500 ms.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>While falling back, Redis is tried again (in the background) at most this often. Default 5 s.</summary>
    public TimeSpan RedisRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    public RateLimitPolicy GetPolicy(string tenant) =>
        TenantPolicies.TryGetValue(tenant, out var policy) ? policy : DefaultPolicy;
}
