using System.Globalization;
using HrmsAttendance.RateLimiting;
using HrmsAttendance.Resp;
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
public sealed class RateLimiterHealthCheck(ResilientRateLimiter limiter) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A health probe is a good moment to try Redis again, so recovery shows without waiting for traffic.
        await limiter.ProbeAsync(cancellationToken);
        var health = limiter.Health;
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
    /// One <see cref="ResilientRateLimiter"/> over the Redis named <c>redis</c> (<c>ConnectionStrings__redis</c>),
    /// connected with <c>abortConnect=false</c> so the gateway starts, and limits locally, while Redis is down.
    /// </summary>
    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        var options = GatewayRateLimitOptions.FromConfiguration(configuration);
        var connectionOptions = RedisConnectionOptions.Parse(connectionString) is var parsed && parsed.AbortOnConnectFail
            ? RedisConnectionOptions.Parse(connectionString + ",abortConnect=false")
            : parsed;
        services.AddSingleton(_ => RedisConnection.ConnectAsync(connectionOptions).GetAwaiter().GetResult());
        services.AddSingleton(provider => new ResilientRateLimiter(provider.GetRequiredService<RedisConnection>(), options));
        services.AddHealthChecks().AddCheck<RateLimiterHealthCheck>("rate-limits");
        return services;
    }
}
