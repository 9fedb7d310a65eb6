using HrmsAttendance.RateLimiting;

namespace HrmsAttendance.RateLimiting.Tests;

public sealed class LocalTokenBucketTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task Exactly_the_capacity_then_a_retry_after_that_is_exact()
    {
        var limiter = Limiter(tenant: new(100, 100), principal: new(5, 2));
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await limiter.AcquireAsync("t", "p")).Allowed);
        }
        var refused = await limiter.AcquireAsync("t", "p");
        Assert.False(refused.Allowed);
        Assert.Equal(RateLimitScope.Principal, refused.LimitedBy);
        Assert.Equal(TimeSpan.FromMilliseconds(500), refused.RetryAfter); // 1 token at 2/s
        Assert.Equal(RateLimiterMode.LocalFallback, refused.Mode);

        _time.Advance(TimeSpan.FromMilliseconds(499));
        var almost = await limiter.AcquireAsync("t", "p");
        Assert.False(almost.Allowed);
        Assert.Equal(TimeSpan.FromMilliseconds(1), almost.RetryAfter);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await limiter.AcquireAsync("t", "p")).Allowed);
        Assert.False((await limiter.AcquireAsync("t", "p")).Allowed);
    }

    [Fact]
    public async Task Refill_is_capped_at_the_capacity()
    {
        var limiter = Limiter(tenant: new(3, 1), principal: new(100, 100));
        Assert.Equal(3, await Drain(limiter, "t", null));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, await Drain(limiter, "t", null));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, await Drain(limiter, "t", null));
    }

    [Fact]
    public async Task The_tenant_bucket_is_shared_by_its_principals_and_refusals_take_nothing()
    {
        var limiter = Limiter(tenant: new(5, 0.01), principal: new(2, 0.01));
        Assert.Equal(2, await Drain(limiter, "t", "a"));
        Assert.Equal(2, await Drain(limiter, "t", "b"));
        var refused = await limiter.AcquireAsync("t", "c", cost: 2);
        Assert.False(refused.Allowed);
        Assert.Equal(RateLimitScope.Tenant, refused.LimitedBy);
        Assert.Equal(1, await Drain(limiter, "t", "c"));
        Assert.Equal(2, await Drain(limiter, "other", "a"));
    }

    [Fact]
    public async Task Concurrent_requests_never_take_more_than_the_capacity()
    {
        var limiter = Limiter(tenant: new(1000, 1), principal: new(100, 1));
        var decisions = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            Task.Run(async () => await limiter.AcquireAsync("t", i % 2 == 0 ? "p" : "q"))));
        Assert.Equal(200, decisions.Count(d => d.Allowed));
    }

    [Fact]
    public async Task Buckets_that_refilled_completely_are_swept()
    {
        var limiter = Limiter(tenant: new(10, 1), principal: new(2, 1));
        await limiter.AcquireAsync("t", "quick");  // both buckets full again after 1 s
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await limiter.AcquireAsync("t", "slow");   // tenant full again at 2 s, "slow" at 1.5 s
        Assert.Equal(3, limiter.BucketCount);

        _time.Advance(TimeSpan.FromMilliseconds(600));
        limiter.SweepNow();
        Assert.Equal(2, limiter.BucketCount); // "quick" was full again at 1 s; the tenant (2 s) and "slow" (1.5 s) stay
        _time.Advance(TimeSpan.FromSeconds(2));
        limiter.SweepNow();
        Assert.Equal(0, limiter.BucketCount);
        Assert.Equal(1, (await limiter.AcquireAsync("t", "slow")).Remaining); // a swept bucket is a full one
    }

    private LocalTokenBucketLimiter Limiter(TokenBucketLimit tenant, TokenBucketLimit principal) =>
        new(new RateLimiterOptions { DefaultPolicy = new RateLimitPolicy(tenant, principal) }, _time);

    private static async Task<int> Drain(ITokenBucketLimiter limiter, string tenant, string? principal)
    {
        var allowed = 0;
        while ((await limiter.AcquireAsync(tenant, principal)).Allowed)
        {
            allowed++;
        }
        return allowed;
    }
}
