using System.Globalization;
using HrmsAttendance.RateLimiting;
using HrmsAttendance.ServiceDefaults;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HrmsAttendance.Gateway.RateLimits;

/// <summary>
/// Reads the limits from configuration section <c>Gateway:RateLimits</c>:
/// <code>
/// "Gateway": { "RateLimits": {
///   "PerTenant":    { "Capacity": 400, "RefillPerSecond": 200 },
///   "PerPrincipal": { "Capacity": 40,  "RefillPerSecond": 20 },
///   "Tenants": { "&lt;tenant uuid&gt;": { "PerTenant": {…}, "PerPrincipal": {…} } } } }
/// </code>
/// Anything left out keeps <see cref="RateLimiterOptions.DefaultLimits"/>.
/// </summary>
public static class GatewayRateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits";

    public static RateLimiterOptions FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var options = new RateLimiterOptions();
        options.DefaultPolicy = ReadPolicy(section, options.DefaultPolicy);
        foreach (var tenant in section.GetSection("Tenants").GetChildren())
            options.TenantPolicies[tenant.Key.ToLowerInvariant()] = ReadPolicy(tenant, options.DefaultPolicy);
        return options;
    }

    private static RateLimitPolicy ReadPolicy(IConfigurationSection section, RateLimitPolicy fallback) => new(
        PerTenant: ReadLimit(section.GetSection("PerTenant"), fallback.PerTenant),
        PerPrincipal: ReadLimit(section.GetSection("PerPrincipal"), fallback.PerPrincipal));

    private static TokenBucketLimit ReadLimit(IConfigurationSection section, TokenBucketLimit fallback) => new(
        capacity: section["Capacity"] is { } capacity ? int.Parse(capacity, CultureInfo.InvariantCulture) : fallback.Capacity,
        refillPerSecond: section["RefillPerSecond"] is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : fallback.RefillPerSecond);
}

/// <summary>
/// <c>/health</c> entry for the limiter: Healthy while the buckets are shared through Redis; Degraded (still 200,
/// the gateway keeps serving) while each instance limits on its own because Redis is unreachable.
/// </summary>
public sealed class RateLimiterHealthCheck(ResilientRateLimiter limiter, IConnectionMultiplexer? redis = null) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A health probe is a good moment to try Redis again, so recovery shows without waiting for traffic.
        await limiter.ProbeAsync(cancellationToken);
        var health = limiter.Health;
        if (health.Mode == RateLimiterMode.Shared && redis is { IsConnected: false })
        {
            // No request has noticed yet (the limiter switches on the next one), but the buckets cannot be shared now.
            return HealthCheckResult.Degraded("Redis is not connected: the next requests are limited by this instance's own buckets",
                data: new Dictionary<string, object> { ["mode"] = health.Mode.ToString(), ["redisConnected"] = false });
        }
        var data = new Dictionary<string, object>
        {
            ["mode"] = health.Mode.ToString(),
            ["since"] = health.Since.ToString("O", CultureInfo.InvariantCulture),
        };
        if (health.LastError is { } error) data["lastError"] = error;
        return health.Mode == RateLimiterMode.Shared
            ? HealthCheckResult.Healthy(health.Description, data)
            : HealthCheckResult.Degraded(health.Description, data: data);
    }
}

public static class RateLimitServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="ResilientRateLimiter"/> over the Redis named <paramref name="connectionName"/>
    /// (<c>ConnectionStrings__redis</c>, through Aspire.StackExchange.Redis), connected with <c>abortConnect=false</c> so
    /// the gateway starts, and limits locally, while Redis is down. Redis's own health check is off: a Redis outage
    /// makes the gateway Degraded (see <see cref="RateLimiterHealthCheck"/>), not Unhealthy.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayRateLimits(this IHostApplicationBuilder builder, string connectionName)
    {
        var options = GatewayRateLimitOptions.FromConfiguration(builder.Configuration);
        // The client connects lazily (abortConnect=false): without this a missing Redis password would show only as
        // per-instance limits.
        builder.RequireConnectionStringPassword(connectionName, connectionString => ConfigurationOptions.Parse(connectionString).Password);
        builder.AddRedisClient(connectionName,
            settings =>
            {
                settings.DisableHealthChecks = true;
                // A take is one short script on every request; as a span of its own it cost the gateway ~7% of its CPU
                // (turning the client's profiling entries into activities) and the dashboard one more span per call.
                // Its outcome is on the request's span already (429 or not).
                settings.DisableTracing = true;
            },
            redis =>
            {
                redis.AbortOnConnectFail = false;
                redis.BacklogPolicy = BacklogPolicy.FailFast;
                // Every request takes from the buckets: completing on the .NET thread pool instead of the client's own
                // dedicated threads saves two thread hand-offs per take (bench/Gateway.Benchmarks measures it).
                redis.SocketManager = SocketManager.ThreadPool;
            });
        builder.Services.AddSingleton(provider => new ResilientRateLimiter(provider.GetRequiredService<IConnectionMultiplexer>(), options));
        builder.Services.AddHealthChecks().AddCheck<RateLimiterHealthCheck>("rate-limits");
        return builder;
    }
}
