using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace HrmsAttendance.RateLimiting;

/// <summary>
/// Token buckets kept in Redis, so every gateway instance draws from the same buckets. Each request is one EVALSHA
/// of <c>token-bucket.lua</c> by its SHA-1, computed once (when the server has lost the script, the take is sent
/// once more with the source, and StackExchange.Redis loads it), which checks and takes from the tenant and principal buckets atomically using the server's clock. Throws the
/// client's exceptions (<see cref="RedisConnectionException"/>, <see cref="RedisTimeoutException"/>,
/// <see cref="RedisServerException"/>) when Redis cannot answer; see
/// <see cref="ResilientRateLimiter"/> for the variant that falls back to local buckets.
/// </summary>
public sealed class RedisTokenBucketLimiter : ITokenBucketLimiter
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RateLimiterOptions _options;

    public RedisTokenBucketLimiter(IConnectionMultiplexer redis, RateLimiterOptions options)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The Lua source (see the comment at its top for its contract).</summary>
    public static string Script { get; } = LoadScript();

    /// <summary>
    /// The script's SHA-1. Passing the source instead would make the client hash the whole text to find its SHA-1 on
    /// every take: 3% of the gateway's CPU under load (bench/Gateway.Benchmarks).
    /// </summary>
    private static readonly byte[] ScriptSha1 = SHA1.HashData(Encoding.UTF8.GetBytes(Script));

    public async ValueTask<RateLimitDecision> AcquireAsync(string tenant, string? principal, int cost = 1,
        CancellationToken cancellationToken = default)
    {
        var buckets = BucketSet.For(_options, tenant, principal, cost);
        RedisKey[] keys;
        RedisValue[] args;
        if (buckets.PrincipalKey is { } principalKey)
        {
            keys = [buckets.TenantKey, principalKey];
            args = [cost, buckets.TenantLimit.Capacity, buckets.TenantLimit.RefillPerSecond,
                buckets.PrincipalLimit.Capacity, buckets.PrincipalLimit.RefillPerSecond];
        }
        else
        {
            keys = [buckets.TenantKey];
            args = [cost, buckets.TenantLimit.Capacity, buckets.TenantLimit.RefillPerSecond];
        }

        // StackExchange.Redis takes no CancellationToken: the caller's token ends the wait, not the command.
        var database = _redis.GetDatabase();
        RedisResult reply;
        try
        {
            reply = await database.ScriptEvaluateAsync(ScriptSha1, keys, args).WaitAsync(cancellationToken);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // A restarted or flushed server: the source loads the script again, and this take still counts once.
            reply = await database.ScriptEvaluateAsync(Script, keys, args).WaitAsync(cancellationToken);
        }
        if (reply.Resp2Type != ResultType.Array || reply.Length != 4)
        {
            throw new RedisServerException($"The token bucket script returned '{reply}' instead of four integers.");
        }
        var allowed = (long)reply[0] == 1;
        return new RateLimitDecision(
            allowed,
            TimeSpan.FromMilliseconds((long)reply[1]),
            allowed ? null : BucketSet.ScopeOf((int)(long)reply[2]),
            (long)reply[3],
            RateLimiterMode.Shared);
    }

    /// <summary>Loads the script into every connected server now (it is otherwise loaded on first use).</summary>
    public async Task LoadScriptAsync(CancellationToken cancellationToken = default)
    {
        foreach (var endpoint in _redis.GetEndPoints())
            await _redis.GetServer(endpoint).ScriptLoadAsync(Script).WaitAsync(cancellationToken);
    }

    private static string LoadScript()
    {
        using var stream = typeof(RedisTokenBucketLimiter).Assembly.GetManifestResourceStream("token-bucket.lua")
            ?? throw new InvalidOperationException("The embedded resource token-bucket.lua is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
