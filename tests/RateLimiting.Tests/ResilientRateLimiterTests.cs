using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HrmsAttendance.RateLimiting;
using StackExchange.Redis;

namespace HrmsAttendance.RateLimiting.Tests;

/// <summary>Each test runs its own redis-server, since they stop it.</summary>
public sealed class ResilientRateLimiterTests
{
    /// <summary>A generous Redis timeout: a loaded test machine must not fall back by accident.</summary>
    private static RateLimiterOptions Options(int redisTimeoutMs = 3000) => new()
    {
        DefaultPolicy = new RateLimitPolicy(new TokenBucketLimit(100, 0.01), new TokenBucketLimit(3, 0.01)),
        RedisRetryInterval = TimeSpan.FromMilliseconds(200),
        RedisTimeout = TimeSpan.FromMilliseconds(redisTimeoutMs),
    };

    [Fact]
    public async Task Redis_down_falls_back_to_local_buckets_and_redis_back_on_the_same_port_shares_again()
    {
        var directory = Directory.CreateTempSubdirectory("hrms-ratelimit-").FullName;
        try
        {
            var server = await TestRedisServer.StartAsync(directory);
            var port = server.Port;
            await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",abortConnect=false");
            var limiter = new ResilientRateLimiter(connection, Options());
            var changes = new List<RateLimiterHealth>();
            limiter.ModeChanged += (_, health) => { lock (changes) { changes.Add(health); } };

            Assert.Equal(3, await Drain(limiter, "t1", "alice", RateLimiterMode.Shared));
            Assert.Equal(RateLimiterMode.Shared, limiter.Health.Mode);
            Assert.Contains($"Redis at 127.0.0.1:{port}", limiter.Health.Description);

            await server.DisposeAsync();

            // The first request after Redis went away is answered locally, without an error.
            var elapsed = Stopwatch.StartNew();
            var first = await limiter.AcquireAsync("t1", "bob");
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(3), $"fell back in {elapsed.ElapsedMilliseconds} ms"); // refused at once, no timeout
            Assert.True(first.Allowed);
            Assert.Equal(RateLimiterMode.LocalFallback, first.Mode);

            var health = limiter.Health;
            Assert.Equal(RateLimiterMode.LocalFallback, health.Mode);
            Assert.Contains("per-instance token buckets", health.Description);
            Assert.Contains($"Redis at 127.0.0.1:{port} is unusable", health.Description);
            Assert.Contains("Retrying Redis at most every 0.2 s", health.Description);
            Assert.NotNull(health.LastError);
            Assert.DoesNotContain(server.Password, health.Description);

            // Still limiting, with the same limits: bob had 1, 2 more; carol 3.
            Assert.Equal(2, await Drain(limiter, "t1", "bob", RateLimiterMode.LocalFallback));
            Assert.Equal(3, await Drain(limiter, "t1", "carol", RateLimiterMode.LocalFallback));
            var refused = await limiter.AcquireAsync("t1", "carol");
            Assert.Equal(RateLimitScope.Principal, refused.LimitedBy);
            Assert.True(refused.RetryAfter > TimeSpan.FromSeconds(90));

            // Probes while Redis is still down keep the fallback (and say why).
            Assert.False(await limiter.ProbeAsync());
            Assert.Equal(RateLimiterMode.LocalFallback, limiter.Mode);

            await using var restarted = await TestRedisServer.StartAsync(directory, port);

            // Requests start the probe (at most every 200 ms) in the background; one of them finds Redis back.
            await Poll.UntilAsync(async () =>
            {
                await limiter.AcquireAsync("t1", "poller");
                return limiter.Mode == RateLimiterMode.Shared;
            }, TimeSpan.FromSeconds(5), "back to shared mode");
            Assert.Contains("Shared token buckets", limiter.Health.Description);
            Assert.Equal(3, await Drain(limiter, "t1", "dave", RateLimiterMode.Shared));
            var inRedis = await connection.GetDatabase().HashGetAsync("rl:{t1}:dave", "t");
            Assert.False(inRedis.IsNull);

            lock (changes)
            {
                Assert.Equal([RateLimiterMode.LocalFallback, RateLimiterMode.Shared], changes.Select(c => c.Mode));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_gateway_starting_while_redis_is_down_limits_locally_at_once()
    {
        var port = FreePort();
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},password=x,abortConnect=false");
        var limiter = new ResilientRateLimiter(connection, Options());
        Assert.Equal(3, await Drain(limiter, "t", "p", expectedMode: null));
        Assert.Equal(RateLimiterMode.LocalFallback, limiter.Mode);
        Assert.Contains(nameof(RedisConnectionException), limiter.Health.LastError);
        Assert.Contains($"Redis at 127.0.0.1:{port} is unusable", limiter.Health.Description);
    }

    [Fact]
    public async Task A_connected_server_that_stops_answering_is_a_timeout_and_falls_back()
    {
        await using var server = await TestRedisServer.StartTemporaryAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var limiter = new ResilientRateLimiter(connection, Options(redisTimeoutMs: 300));
        Assert.True((await limiter.AcquireAsync("t", "p")).Allowed);

        // Every client's commands wait for 3 s: the connection stays up, answers stop.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "3000", "ALL");
        var elapsed = Stopwatch.StartNew();
        var decision = await limiter.AcquireAsync("t", "p");
        Assert.True(decision.Allowed);
        Assert.Equal(RateLimiterMode.LocalFallback, decision.Mode);
        Assert.InRange(elapsed.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2.5));
        Assert.Contains("no answer within 300 ms", limiter.Health.Description);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_falls_back_without_holding_requests()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // the kernel completes connections; nobody ever reads or answers
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=300");
        var limiter = new ResilientRateLimiter(connection, Options(redisTimeoutMs: 300));

        var elapsed = Stopwatch.StartNew();
        var decision = await limiter.AcquireAsync("t", "p");
        Assert.True(decision.Allowed);
        Assert.Equal(RateLimiterMode.LocalFallback, decision.Mode);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(2), $"answered in {elapsed.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Caller_cancellation_is_not_a_redis_failure()
    {
        await using var server = await TestRedisServer.StartTemporaryAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var limiter = new ResilientRateLimiter(connection, Options());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await limiter.AcquireAsync("t", "p", cancellationToken: new CancellationToken(canceled: true)));
        Assert.Equal(RateLimiterMode.Shared, limiter.Mode);
        Assert.True((await limiter.AcquireAsync("t", "p")).Allowed);
    }

    private static async Task<int> Drain(ITokenBucketLimiter limiter, string tenant, string principal, RateLimiterMode? expectedMode)
    {
        var allowed = 0;
        while (true)
        {
            var decision = await limiter.AcquireAsync(tenant, principal);
            if (expectedMode is { } mode)
            {
                Assert.Equal(mode, decision.Mode);
            }
            if (!decision.Allowed)
            {
                return allowed;
            }
            allowed++;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
