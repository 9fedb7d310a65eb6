using System.Collections.Concurrent;

namespace HrmsAttendance.RateLimiting;

/// <summary>
/// The same token buckets as <c>token-bucket.lua</c>, kept in this process (the fallback while Redis is
/// unreachable): same keys, limits, refill arithmetic, all-or-nothing taking and retry-after. Buckets that have
/// refilled completely are dropped by an occasional sweep (a missing bucket is a full one), so memory follows the
/// number of recently active tenants and principals.
/// </summary>
public sealed class LocalTokenBucketLimiter : ITokenBucketLimiter
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly RateLimiterOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private long _nextSweep;

    public LocalTokenBucketLimiter(RateLimiterOptions options, TimeProvider? timeProvider = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = timeProvider ?? TimeProvider.System;
        _nextSweep = _time.GetTimestamp() + ToTicks(SweepInterval);
    }

    /// <summary>Buckets currently held (for tests and diagnostics).</summary>
    public int BucketCount => _buckets.Count;

    public ValueTask<RateLimitDecision> AcquireAsync(string tenant, string? principal, int cost = 1,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var set = BucketSet.For(_options, tenant, principal, cost);
        var now = _time.GetTimestamp();
        SweepIfDue(now);
        while (true)
        {
            var tenantBucket = _buckets.GetOrAdd(set.TenantKey, static _ => new Bucket());
            // Always the tenant's lock first, then the principal's: no two requests wait for each other in a cycle.
            lock (tenantBucket)
            {
                if (tenantBucket.Removed)
                {
                    continue; // swept between lookup and lock: look it up again
                }
                if (set.PrincipalKey is null)
                {
                    return ValueTask.FromResult(Take([(tenantBucket, set.TenantLimit)], cost, now));
                }
                var principalBucket = _buckets.GetOrAdd(set.PrincipalKey, static _ => new Bucket());
                lock (principalBucket)
                {
                    if (principalBucket.Removed)
                    {
                        continue;
                    }
                    return ValueTask.FromResult(Take([(tenantBucket, set.TenantLimit), (principalBucket, set.PrincipalLimit)], cost, now));
                }
            }
        }
    }

    /// <summary>The script's arithmetic, on buckets the caller has locked.</summary>
    private RateLimitDecision Take(ReadOnlySpan<(Bucket Bucket, TokenBucketLimit Limit)> buckets, int cost, long now)
    {
        Span<double> tokens = stackalloc double[buckets.Length];
        var waitMicros = 0.0;
        var limitedBy = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            var (bucket, limit) = buckets[i];
            double t;
            if (!bucket.Initialised)
            {
                t = limit.Capacity;
            }
            else if (now > bucket.Timestamp)
            {
                t = Math.Min(limit.Capacity, bucket.Tokens + Seconds(now - bucket.Timestamp) * limit.RefillPerSecond);
            }
            else
            {
                t = Math.Min(limit.Capacity, bucket.Tokens);
            }
            tokens[i] = t;
            if (t < cost)
            {
                var wait = Math.Ceiling((cost - t) * 1_000_000 / limit.RefillPerSecond - 0.000001); // as the script
                if (wait > waitMicros || limitedBy == 0)
                {
                    waitMicros = wait;
                    limitedBy = i + 1;
                }
            }
        }

        if (limitedBy == 0)
        {
            for (var i = 0; i < buckets.Length; i++)
            {
                var (bucket, limit) = buckets[i];
                tokens[i] -= cost;
                bucket.Tokens = tokens[i];
                bucket.Timestamp = now;
                bucket.Initialised = true;
                bucket.FullAt = now + SecondsToTicks((limit.Capacity - tokens[i]) / limit.RefillPerSecond);
            }
        }

        var remaining = tokens[0];
        for (var i = 1; i < buckets.Length; i++)
        {
            remaining = Math.Min(remaining, tokens[i]);
        }
        return limitedBy == 0
            ? new RateLimitDecision(true, TimeSpan.Zero, null, (long)Math.Floor(remaining), RateLimiterMode.LocalFallback)
            : new RateLimitDecision(false, TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(waitMicros / 1000))),
                BucketSet.ScopeOf(limitedBy), (long)Math.Floor(remaining), RateLimiterMode.LocalFallback);
    }

    private void SweepIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + ToTicks(SweepInterval), due) != due)
        {
            return;
        }
        Sweep(now);
    }

    /// <summary>Drops the buckets that are full again (or were never taken from).</summary>
    internal void Sweep(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                if (!bucket.Removed && (!bucket.Initialised || now >= bucket.FullAt))
                {
                    bucket.Removed = true;
                    _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket));
                }
            }
        }
    }

    internal void SweepNow() => Sweep(_time.GetTimestamp());

    private double Seconds(long ticks) => (double)ticks / _time.TimestampFrequency;

    private long ToTicks(TimeSpan span) => SecondsToTicks(span.TotalSeconds);

    /// <summary>Capped far in the future rather than overflowing (a 1e9 burst at 0.001/s takes 3e4 years to refill).</summary>
    private long SecondsToTicks(double seconds) => (long)Math.Min(seconds * _time.TimestampFrequency, long.MaxValue / 4);

    private sealed class Bucket
    {
        public double Tokens;
        public long Timestamp;
        public long FullAt;
        public bool Initialised;
        public bool Removed;
    }
}
