namespace HrmsAttendance.RateLimiting;

/// <summary>
/// One token bucket's parameters: it holds at most <see cref="Capacity"/> tokens (the burst) and gains
/// <see cref="RefillPerSecond"/> tokens per second, continuously. A request of cost c needs c tokens.
/// </summary>
public sealed record TokenBucketLimit
{
    public TokenBucketLimit(int capacity, double refillPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (!(refillPerSecond >= 0.001 && refillPerSecond <= 1_000_000_000))
        {
            throw new ArgumentOutOfRangeException(nameof(refillPerSecond), refillPerSecond,
                "The refill rate must be between 0.001 and 1e9 tokens per second.");
        }
        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
    }

    /// <summary>The most tokens the bucket holds: how many requests may arrive at once after a quiet period.</summary>
    public int Capacity { get; }

    /// <summary>Tokens added per second (the sustained rate).</summary>
    public double RefillPerSecond { get; }

    public override string ToString() => $"{RefillPerSecond:0.###}/s burst {Capacity}";
}

/// <summary>The limits applied to one tenant: its own bucket (shared by all its principals) and each principal's bucket.</summary>
public sealed record RateLimitPolicy(TokenBucketLimit PerTenant, TokenBucketLimit PerPrincipal);

/// <summary>Which bucket refused a request.</summary>
public enum RateLimitScope
{
    Tenant,
    Principal,
}

/// <summary>Where the buckets live.</summary>
public enum RateLimiterMode
{
    /// <summary>In Redis: one bucket per key for all gateway instances.</summary>
    Shared,

    /// <summary>In this process: Redis is unreachable, so each gateway instance limits on its own.</summary>
    LocalFallback,
}

/// <summary>
/// The answer for one request. When refused, <see cref="RetryAfter"/> is when the bucket that refused will hold
/// enough tokens (suitable for a Retry-After header) and <see cref="LimitedBy"/> says which one it was.
/// <see cref="Remaining"/> is the whole tokens left in the emptier bucket.
/// </summary>
public readonly record struct RateLimitDecision(
    bool Allowed,
    TimeSpan RetryAfter,
    RateLimitScope? LimitedBy,
    long Remaining,
    RateLimiterMode Mode);
