using StackExchange.Redis;

namespace HrmsAttendance.RateLimiting;

/// <summary>What a <see cref="ResilientRateLimiter"/> is doing, for health endpoints and logs.</summary>
/// <param name="Mode">Where the buckets are.</param>
/// <param name="Description">One sentence for humans (no secrets: the password is never included).</param>
/// <param name="Since">When the current mode began.</param>
/// <param name="LastError">Why Redis was last found unusable (null if never).</param>
public sealed record RateLimiterHealth(RateLimiterMode Mode, string Description, DateTimeOffset Since, string? LastError);

/// <summary>
/// The gateway's limiter: <see cref="RedisTokenBucketLimiter"/> while Redis answers, <see cref="LocalTokenBucketLimiter"/>
/// (same limits, per instance) when it does not. A Redis call that fails or takes longer than
/// <see cref="RateLimiterOptions.RedisTimeout"/> switches to <see cref="RateLimiterMode.LocalFallback"/> and that
/// request is answered locally, so requests are never refused or held up because Redis is down. While falling
/// back, no request waits on Redis: at most once per <see cref="RateLimiterOptions.RedisRetryInterval"/> a request
/// starts a background probe (PING + SCRIPT LOAD), and when it succeeds the limiter is
/// <see cref="RateLimiterMode.Shared"/> again.
/// <para>
/// In fallback each instance allows the full limits, so N gateway instances together allow up to N times them.
/// The connection should be created with <c>abortConnect=false</c> so the gateway can start while Redis is down.
/// </para>
/// </summary>
public sealed class ResilientRateLimiter : ITokenBucketLimiter
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisTokenBucketLimiter _shared;
    private readonly LocalTokenBucketLimiter _local;
    private readonly RateLimiterOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private RateLimiterHealth _health;
    private long _nextProbe;
    private int _probing;

    public ResilientRateLimiter(IConnectionMultiplexer redis, RateLimiterOptions options, TimeProvider? timeProvider = null)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = timeProvider ?? TimeProvider.System;
        _shared = new RedisTokenBucketLimiter(redis, options);
        _local = new LocalTokenBucketLimiter(options, _time);
        _health = new RateLimiterHealth(RateLimiterMode.Shared, SharedDescription(), _time.GetUtcNow(), null);
    }

    public RateLimiterMode Mode => Health.Mode;

    public RateLimiterHealth Health
    {
        get
        {
            lock (_gate)
            {
                return _health;
            }
        }
    }

    /// <summary>Raised (on the thread that noticed) each time the mode changes.</summary>
    public event EventHandler<RateLimiterHealth>? ModeChanged;

    public async ValueTask<RateLimitDecision> AcquireAsync(string tenant, string? principal, int cost = 1,
        CancellationToken cancellationToken = default)
    {
        if (Mode == RateLimiterMode.Shared && !_redis.IsConnected)
        {
            // StackExchange.Redis would queue the command until it reconnects or times out: do not wait for that.
            EnterFallback($"{nameof(RedisConnectionException)}: no connection to Redis");
        }
        else if (Mode == RateLimiterMode.Shared)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.RedisTimeout);
            try
            {
                return await _shared.AcquireAsync(tenant, principal, cost, deadline.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                EnterFallback($"no answer within {_options.RedisTimeout.TotalMilliseconds:0} ms");
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                EnterFallback($"{e.GetType().Name}: {e.Message}");
            }
        }
        else
        {
            ProbeIfDue();
        }
        return await _local.AcquireAsync(tenant, principal, cost, cancellationToken);
    }

    /// <summary>Tries Redis now (PING + SCRIPT LOAD) if in fallback, whatever the retry interval; true if Shared afterwards.</summary>
    public async Task<bool> ProbeAsync(CancellationToken cancellationToken = default)
    {
        if (Mode == RateLimiterMode.Shared)
        {
            return true;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.RedisTimeout);
        try
        {
            if (!_redis.IsConnected)
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no connection to Redis");
            await _redis.GetDatabase().PingAsync().WaitAsync(deadline.Token);
            await _shared.LoadScriptAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
        {
            var reason = e is OperationCanceledException
                ? $"no answer within {_options.RedisTimeout.TotalMilliseconds:0} ms"
                : $"{e.GetType().Name}: {e.Message}";
            lock (_gate)
            {
                _nextProbe = _time.GetTimestamp() + Ticks(_options.RedisRetryInterval);
                _health = _health with { Description = FallbackDescription(reason), LastError = reason };
            }
            return false;
        }
        ChangeMode(RateLimiterMode.Shared, reason: null);
        return true;
    }

    private void ProbeIfDue()
    {
        lock (_gate)
        {
            if (_time.GetTimestamp() < _nextProbe)
            {
                return;
            }
        }
        if (Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await ProbeAsync();
            }
            finally
            {
                Volatile.Write(ref _probing, 0);
            }
        });
    }

    private void EnterFallback(string reason) => ChangeMode(RateLimiterMode.LocalFallback, reason);

    private void ChangeMode(RateLimiterMode mode, string? reason)
    {
        RateLimiterHealth changed;
        lock (_gate)
        {
            if (_health.Mode == mode)
            {
                return;
            }
            var now = _time.GetUtcNow();
            if (mode == RateLimiterMode.LocalFallback)
            {
                _nextProbe = _time.GetTimestamp() + Ticks(_options.RedisRetryInterval);
                _health = new RateLimiterHealth(mode, FallbackDescription(reason!, now), now, reason);
            }
            else
            {
                _health = new RateLimiterHealth(mode, SharedDescription(), now, _health.LastError);
            }
            changed = _health;
        }
        ModeChanged?.Invoke(this, changed);
    }

    private string SharedDescription() => $"Shared token buckets in Redis at {EndPointDescription()}.";

    private string FallbackDescription(string reason, DateTimeOffset? since = null) =>
        $"Redis at {EndPointDescription()} is unusable ({reason}); limiting with per-instance token buckets " +
        $"since {(since ?? _health.Since):u}, so each gateway instance allows the full limits. " +
        $"Retrying Redis at most every {_options.RedisRetryInterval.TotalSeconds:0.#} s.";

    /// <summary>Where Redis is, for humans: host:port of each configured endpoint (never the password).</summary>
    private string EndPointDescription() =>
        string.Join(", ", ConfigurationOptions.Parse(_redis.Configuration).EndPoints.Select(EndPointCollection.ToString));

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}

