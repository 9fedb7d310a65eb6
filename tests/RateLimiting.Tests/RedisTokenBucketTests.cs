using HrmsAttendance.RateLimiting;
using StackExchange.Redis;

namespace HrmsAttendance.RateLimiting.Tests;

[Collection(RedisCollection.Name)]
public sealed class RedisTokenBucketTests(RedisFixture redis)
{
    /// <summary>Refill so slow (one token per 100 s) that nothing refills during a test.</summary>
    private const double NoRefill = 0.01;

    [Fact]
    public async Task A_bucket_of_capacity_n_allows_exactly_n_then_refuses_with_a_retry_after()
    {
        var (limiter, tenant) = Limiter(tenant: new(5, 0.1), principal: new(40, 20));
        var draining = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 4; i >= 0; i--)
        {
            var allowed = await limiter.AcquireAsync(tenant, principal: null);
            Assert.True(allowed.Allowed);
            Assert.Equal(i, allowed.Remaining);
            Assert.Equal(TimeSpan.Zero, allowed.RetryAfter);
            Assert.Null(allowed.LimitedBy);
            Assert.Equal(RateLimiterMode.Shared, allowed.Mode);
        }

        var refused = await limiter.AcquireAsync(tenant, principal: null);
        Assert.False(refused.Allowed);
        Assert.Equal(RateLimitScope.Tenant, refused.LimitedBy);
        Assert.Equal(0, refused.Remaining);
        // One token at 0.1/s is 10 s away, less what refilled while we drained (at most our elapsed time, which a
        // loaded machine can stretch).
        var drained = draining.Elapsed;
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(10) - drained - TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10));
        Assert.False((await limiter.AcquireAsync(tenant, principal: null)).Allowed);
    }

    [Fact]
    public async Task Tokens_refill_at_the_rate_on_the_redis_clock_up_to_the_capacity()
    {
        // Exact whatever the machine's load: the script stamps each taking with the server's clock (field ts, µs),
        // so the checks compare the bucket with the Redis clock, not with how fast this test ran.
        const int capacity = 4;
        const double rate = 20; // one token per 50 ms
        var (limiter, tenant) = Limiter(tenant: new(capacity, rate), principal: new(40, 20));
        var key = $"rl:{{{tenant}}}";

        var drain = await limiter.AcquireAsync(tenant, null, cost: capacity); // empty in one atomic taking
        Assert.True(drain.Allowed);
        Assert.Equal(0, drain.Remaining);
        var drainedAt = (long)await redis.Database.HashGetAsync(key, "ts");

        // Bounded polling until one token is back; every refusal announces a positive retry-after within 50 ms.
        var refusals = 0;
        while (true)
        {
            var attempt = await limiter.AcquireAsync(tenant, null);
            if (attempt.Allowed)
            {
                break;
            }
            refusals++;
            Assert.Equal(RateLimitScope.Tenant, attempt.LimitedBy);
            Assert.InRange(attempt.RetryAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50));
            Assert.True(await RedisMicros() - drainedAt < 5_000_000, "a token should be back well within 5 s");
            await Task.Delay(5);
        }
        var state = await redis.Database.HashGetAsync(key, ["t", "ts"]);
        var takenAt = (long)state[1];
        var elapsedSeconds = (takenAt - drainedAt) / 1_000_000.0;
        Assert.True(elapsedSeconds >= 1 / rate, $"a token came back after {elapsedSeconds * 1000:0.###} ms of server time, before 50 ms");
        // What is left is exactly what refilled over that server time, less the token just taken.
        var expected = Math.Min(capacity, elapsedSeconds * rate) - 1;
        Assert.Equal(expected, (double)state[0], precision: 6);

        // After long enough (on the server clock) for far more than `capacity` tokens, the bucket holds exactly
        // `capacity`: taking them all at once leaves exactly 0 (an uncapped bucket would have some left).
        var full = takenAt + (long)(capacity * 2 / rate * 1_000_000);
        await Poll.UntilAsync(async () => await RedisMicros() > full, TimeSpan.FromSeconds(5), "Redis clock");
        var burst = await limiter.AcquireAsync(tenant, null, cost: capacity);
        Assert.True(burst.Allowed);
        Assert.Equal(0.0, (double)await redis.Database.HashGetAsync(key, "t"), precision: 9);
    }

    [Fact]
    public async Task Two_limiters_on_two_connections_share_one_bucket()
    {
        await using var other = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var tenant = Tenant();
        var options = Options(tenant, new(40, NoRefill), new(6, NoRefill));
        var first = new RedisTokenBucketLimiter(redis.Connection, options);
        var second = new RedisTokenBucketLimiter(other, options);

        var allowed = 0;
        for (var i = 0; i < 10; i++)
        {
            var limiter = i % 2 == 0 ? first : second;
            if ((await limiter.AcquireAsync(tenant, "alice")).Allowed)
            {
                allowed++;
            }
        }
        Assert.Equal(6, allowed);
        Assert.False((await first.AcquireAsync(tenant, "alice")).Allowed);
        Assert.False((await second.AcquireAsync(tenant, "alice")).Allowed);
        Assert.True((await second.AcquireAsync(tenant, "bob")).Allowed);
    }

    [Fact]
    public async Task The_principal_limit_hits_before_the_tenant_limit_and_refusals_take_nothing()
    {
        var (limiter, tenant) = Limiter(tenant: new(10, NoRefill), principal: new(3, NoRefill));

        Assert.Equal(3, await CountAllowed(limiter, tenant, "alice", attempts: 3));
        var refused = await limiter.AcquireAsync(tenant, "alice");
        Assert.False(refused.Allowed);
        Assert.Equal(RateLimitScope.Principal, refused.LimitedBy);
        Assert.True(refused.RetryAfter > TimeSpan.FromSeconds(90)); // one token at 0.01/s
        Assert.False((await limiter.AcquireAsync(tenant, "alice")).Allowed);

        // alice's refusals took nothing from the tenant: 7 of its 10 tokens are left.
        Assert.Equal(3, await CountAllowed(limiter, tenant, "bob", attempts: 3));
        Assert.Equal(3, await CountAllowed(limiter, tenant, "carol", attempts: 3));
        Assert.True((await limiter.AcquireAsync(tenant, "dave")).Allowed);
        var tenantFull = await limiter.AcquireAsync(tenant, "dave");
        Assert.False(tenantFull.Allowed);
        Assert.Equal(RateLimitScope.Tenant, tenantFull.LimitedBy);

        // dave's principal bucket kept its 2 tokens through the tenant refusal.
        var daveBucket = await redis.Database.HashGetAsync($"rl:{{{tenant}}}:dave", "t");
        Assert.Equal(2.0, (double)daveBucket, precision: 2);

        // Another tenant is not affected.
        Assert.True((await limiter.AcquireAsync(Tenant(), "alice")).Allowed);
    }

    [Fact]
    public async Task Concurrent_requests_never_take_more_than_the_capacity()
    {
        var (limiter, tenant) = Limiter(tenant: new(1000, NoRefill), principal: new(30, NoRefill));
        var decisions = await Task.WhenAll(Enumerable.Range(0, 120).Select(_ =>
            Task.Run(async () => await limiter.AcquireAsync(tenant, "burst"))));
        Assert.Equal(30, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal(RateLimitScope.Principal, d.LimitedBy));
    }

    [Fact]
    public async Task Cost_takes_several_tokens_and_may_not_exceed_the_capacity()
    {
        var (limiter, tenant) = Limiter(tenant: new(10, NoRefill), principal: new(5, NoRefill));
        Assert.Equal(2, (await limiter.AcquireAsync(tenant, "p", cost: 3)).Remaining);
        var refused = await limiter.AcquireAsync(tenant, "p", cost: 3);
        Assert.False(refused.Allowed);
        Assert.Equal(2, refused.Remaining);
        Assert.True((await limiter.AcquireAsync(tenant, "p", cost: 2)).Allowed);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync(tenant, "p", cost: 6));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync(tenant, "p", cost: 0));
    }

    [Fact]
    public async Task Keys_are_hash_tagged_by_tenant_and_expire_when_full_again()
    {
        var (limiter, tenant) = Limiter(tenant: new(100, 0.1), principal: new(4, 0.2));
        await limiter.AcquireAsync(tenant, "p:1");
        var tenantKey = $"rl:{{{tenant}}}";
        var principalKey = $"rl:{{{tenant}}}:p:1";

        var state = await redis.Database.HashGetAsync(principalKey, ["t", "ts"]);
        Assert.Equal(3.0, (double)state[0], precision: 3);
        var serverNow = await RedisMicros();
        Assert.InRange((long)state[1], serverNow - 2_000_000, serverNow); // the server's clock, in microseconds

        // Time to refill completely: 1 token at 0.2/s = 5 s; 1 token at 0.1/s = 10 s.
        Assert.InRange((long)await redis.Database.ExecuteAsync("PTTL", principalKey), 1, 5_000);
        Assert.InRange((long)await redis.Database.ExecuteAsync("PTTL", tenantKey), 5_001, 10_000);
    }

    [Fact]
    public async Task Tenant_ids_cannot_forge_another_tenants_keys()
    {
        var limiterOptions = new RateLimiterOptions
        {
            DefaultPolicy = new RateLimitPolicy(new TokenBucketLimit(100, NoRefill), new TokenBucketLimit(1, NoRefill)),
            KeyPrefix = $"rl-{Guid.NewGuid():N}:",
        };
        var limiter = new RedisTokenBucketLimiter(redis.Connection, limiterOptions);
        // Without escaping, tenant "a}:b" with principal "c" and tenant "a" with principal "b}:c"... would collide.
        Assert.True((await limiter.AcquireAsync("a", "x}:y")).Allowed);
        Assert.True((await limiter.AcquireAsync("a}:x", "y")).Allowed);
        Assert.True((await limiter.AcquireAsync("a{", "y")).Allowed);
        Assert.True((await limiter.AcquireAsync("a%7B", "y")).Allowed);
        Assert.Equal("p{a%7D:x%25%7B}", BucketSet.TenantKeyFor("p", "a}:x%{"));
    }

    [Fact]
    public async Task Tenant_policies_override_the_default()
    {
        var tenant = Tenant();
        var options = new RateLimiterOptions { DefaultPolicy = new(new(100, NoRefill), new(5, NoRefill)) };
        options.TenantPolicies[tenant] = new RateLimitPolicy(new(100, NoRefill), new(2, NoRefill));
        var limiter = new RedisTokenBucketLimiter(redis.Connection, options);

        Assert.Equal(2, await CountAllowed(limiter, tenant, "p", attempts: 5));
        Assert.Equal(5, await CountAllowed(limiter, Tenant(), "p", attempts: 7));
    }

    [Fact]
    public async Task Redis_and_local_buckets_decide_alike()
    {
        var tenant = Tenant();
        var options = Options(tenant, new(7, NoRefill), new(4, NoRefill));
        var shared = new RedisTokenBucketLimiter(redis.Connection, options);
        var local = new LocalTokenBucketLimiter(options);
        (string? Principal, int Cost)[] requests = [("a", 1), ("a", 2), ("a", 2), ("b", 3), ("b", 1), ("a", 1), ("c", 1), ("c", 1), (null, 1)];
        foreach (var (principal, cost) in requests)
        {
            var s = await shared.AcquireAsync(tenant, principal, cost);
            var l = await local.AcquireAsync(tenant, principal, cost);
            Assert.Equal((s.Allowed, s.LimitedBy, s.Remaining), (l.Allowed, l.LimitedBy, l.Remaining));
            Assert.InRange(Math.Abs((s.RetryAfter - l.RetryAfter).TotalMilliseconds), 0, 1000); // clocks differ slightly
        }
    }

    [Fact]
    public async Task The_script_is_loaded_again_after_script_flush()
    {
        var (limiter, tenant) = Limiter(tenant: new(10, NoRefill), principal: new(10, NoRefill));
        Assert.True((await limiter.AcquireAsync(tenant, "p")).Allowed);
        await redis.Database.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.Equal(8, (await limiter.AcquireAsync(tenant, "p")).Remaining);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(
            System.Text.Encoding.UTF8.GetBytes(RedisTokenBucketLimiter.Script)));
        Assert.Equal(1L, (long)(await redis.Database.ExecuteAsync("SCRIPT", "EXISTS", sha))[0]);
    }

    [Fact]
    public async Task A_take_after_the_server_lost_its_scripts_loads_the_script_again_and_counts_once()
    {
        var (limiter, tenant) = Limiter(tenant: new(3, NoRefill), principal: new(40, 20));
        Assert.Equal(2, (await limiter.AcquireAsync(tenant, principal: null)).Remaining);

        // What a Redis restart or failover does to the script cache: the next EVALSHA gets NOSCRIPT.
        await redis.Database.ExecuteAsync("SCRIPT", "FLUSH");
        var afterFlush = await limiter.AcquireAsync(tenant, principal: null);
        Assert.True(afterFlush.Allowed);
        Assert.Equal(1, afterFlush.Remaining);
        Assert.Equal(RateLimiterMode.Shared, afterFlush.Mode);
        Assert.Equal(0, (await limiter.AcquireAsync(tenant, principal: null)).Remaining);
    }

    private (RedisTokenBucketLimiter Limiter, string Tenant) Limiter(TokenBucketLimit tenant, TokenBucketLimit principal)
    {
        var id = Tenant();
        return (new RedisTokenBucketLimiter(redis.Connection, Options(id, tenant, principal)), id);
    }

    private static RateLimiterOptions Options(string tenant, TokenBucketLimit perTenant, TokenBucketLimit perPrincipal)
    {
        var options = new RateLimiterOptions();
        options.TenantPolicies[tenant] = new RateLimitPolicy(perTenant, perPrincipal);
        return options;
    }

    private static string Tenant() => $"tenant-{Guid.NewGuid():N}";

    private static async Task<int> CountAllowed(ITokenBucketLimiter limiter, string tenant, string principal, int attempts)
    {
        var allowed = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await limiter.AcquireAsync(tenant, principal)).Allowed)
            {
                allowed++;
            }
        }
        return allowed;
    }

    /// <summary>The server's clock (TIME), in microseconds: the clock the script refills by.</summary>
    private async Task<long> RedisMicros()
    {
        var time = await redis.Database.ExecuteAsync("TIME");
        return (long)time[0] * 1_000_000 + (long)time[1];
    }
}
