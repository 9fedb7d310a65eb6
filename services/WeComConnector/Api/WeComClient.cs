using System.Text.Json;
using HrmsAttendance.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HrmsAttendance.WeComConnector.Api;

/// <summary>One tenant's WeCom app, as the poller uses it.</summary>
public sealed record WeComCorp(Guid Tenant, string CorpId, string CorpSecret)
{
    public override string ToString() => $"WeComCorp {{ Tenant = {Tenant}, CorpId = {CorpId} }}";
}

/// <summary>
/// The poller's way to WeCom: every call first takes a token from the corp's bucket in Redis (shared by all replicas:
/// libs/RateLimiting's script, bucket <c>corp:&lt;corpid&gt;</c>), with the corp's access_token from Redis (one
/// gettoken per corp for all replicas, replaced <see cref="WeComOptions.TokenRefreshMargin"/> before it expires). A
/// call WeCom refuses for its token (40001/40014/42001) drops that token and is made again with a new one; 45009
/// (frequency limit) waits, doubling from <see cref="WeComOptions.MinBackoff"/> to <see cref="WeComOptions.MaxBackoff"/>
/// with jitter, and tries again, up to <see cref="WeComOptions.MaxAttempts"/> tries.
/// </summary>
public sealed partial class WeComClient(
    WeComApi api,
    IConnectionMultiplexer redis,
    IOptions<WeComOptions> options,
    TimeProvider time,
    ILogger<WeComClient> logger)
{
    private const string DropTokenScript = """
        if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
        return 0
        """;

    private readonly RedisTokenBucketLimiter _bucket = new(redis, new RateLimiterOptions
    {
        KeyPrefix = "wecom-connector:rl:",
        DefaultPolicy = new RateLimitPolicy(
            PerTenant: new TokenBucketLimit(options.Value.CallBurst, options.Value.CallsPerSecond),
            PerPrincipal: new TokenBucketLimit(options.Value.CallBurst, options.Value.CallsPerSecond)),
    });

    /// <summary>The Redis key of a corp's cached access_token (per tenant: two tenants never share a token).</summary>
    public static string TokenKey(WeComCorp corp) => $"wecom-connector:token:{corp.Tenant:D}:{corp.CorpId}";

    public Task<IReadOnlyList<JsonElement>> GetCheckinDataAsync(WeComCorp corp, DateTimeOffset start, DateTimeOffset end,
        IReadOnlyList<string> userIds, CancellationToken ct) =>
        CallAsync(corp, token => api.GetCheckinDataAsync(token, start, end, userIds, ct), ct);

    private async Task<T> CallAsync<T>(WeComCorp corp, Func<string, Task<T>> call, CancellationToken ct)
    {
        var rateLimited = 0;
        for (var attempt = 1; ; attempt++)
        {
            var token = await TokenAsync(corp, ct);
            await TakeAsync(corp, ct);
            try
            {
                return await call(token);
            }
            catch (WeComApiException e) when (e.TokenRejected && attempt < options.Value.MaxAttempts)
            {
                Log.TokenRejected(logger, corp.Tenant, e.ErrorCode);
                await redis.GetDatabase().ScriptEvaluateAsync(DropTokenScript, [TokenKey(corp)], [token]);
            }
            catch (WeComApiException e) when (e.RateLimited && attempt < options.Value.MaxAttempts)
            {
                var delay = Backoff(++rateLimited);
                Log.RateLimited(logger, corp.Tenant, delay.TotalMilliseconds);
                await Task.Delay(delay, time, ct);
            }
        }
    }

    /// <summary>The corp's cached access_token, or a new one from gettoken (which also takes a token from the bucket).</summary>
    private async Task<string> TokenAsync(WeComCorp corp, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var cached = await db.StringGetAsync(TokenKey(corp));
        if (cached.HasValue) return cached.ToString();
        var rateLimited = 0;
        while (true)
        {
            await TakeAsync(corp, ct);
            try
            {
                var fresh = await api.GetTokenAsync(corp.CorpId, corp.CorpSecret, ct);
                var lifetime = fresh.ExpiresIn - options.Value.TokenRefreshMargin;
                if (lifetime < TimeSpan.FromSeconds(1)) lifetime = fresh.ExpiresIn / 2;
                await db.StringSetAsync(TokenKey(corp), fresh.Token, lifetime);
                Log.TokenFetched(logger, corp.Tenant, (int)fresh.ExpiresIn.TotalSeconds);
                return fresh.Token;
            }
            catch (WeComApiException e) when (e.RateLimited && rateLimited + 1 < options.Value.MaxAttempts)
            {
                await Task.Delay(Backoff(++rateLimited), time, ct);
            }
        }
    }

    private async Task TakeAsync(WeComCorp corp, CancellationToken ct)
    {
        while (true)
        {
            var decision = await _bucket.AcquireAsync($"corp:{corp.CorpId}", null, 1, ct);
            if (decision.Allowed) return;
            await Task.Delay(decision.RetryAfter > TimeSpan.Zero ? decision.RetryAfter : TimeSpan.FromMilliseconds(10), time, ct);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var min = options.Value.MinBackoff.TotalMilliseconds;
        var ceiling = Math.Min(options.Value.MaxBackoff.TotalMilliseconds, min * Math.Pow(2, Math.Min(failures - 1, 20)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "WeCom refused the access_token of tenant {Tenant} (errcode {Code}); fetching a new one")]
        public static partial void TokenRejected(ILogger logger, Guid tenant, int code);

        [LoggerMessage(2, LogLevel.Warning, "WeCom frequency limit (45009) for tenant {Tenant}; waiting {DelayMs} ms")]
        public static partial void RateLimited(ILogger logger, Guid tenant, double delayMs);

        [LoggerMessage(3, LogLevel.Information, "New WeCom access_token for tenant {Tenant} (expires in {Seconds} s)")]
        public static partial void TokenFetched(ILogger logger, Guid tenant, int seconds);
    }
}
