using System.Net;
using System.Net.Sockets;
using HrmsAttendance.Gateway.RateLimits;
using HrmsAttendance.RateLimiting;
using StackExchange.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HrmsAttendance.Gateway.Tests.RateLimits;

public sealed class GatewayRateLimitsTests
{
    [Fact]
    public void Limits_come_from_configuration_with_per_tenant_overrides_and_defaults_for_the_rest()
    {
        var tenant = Guid.NewGuid();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:PerPrincipal:Capacity"] = "7",
            [$"Gateway:RateLimits:Tenants:{tenant.ToString().ToUpperInvariant()}:PerPrincipal:RefillPerSecond"] = "0.5",
        }).Build();

        var options = GatewayRateLimitOptions.FromConfiguration(configuration);

        Assert.Equal(7, options.DefaultPolicy.PerPrincipal.Capacity);
        Assert.Equal(RateLimiterOptions.DefaultLimits.PerPrincipal.RefillPerSecond, options.DefaultPolicy.PerPrincipal.RefillPerSecond);
        Assert.Equal(RateLimiterOptions.DefaultLimits.PerTenant, options.DefaultPolicy.PerTenant);
        var special = options.GetPolicy(tenant.ToString("D"));
        Assert.Equal(7, special.PerPrincipal.Capacity);
        Assert.Equal(0.5, special.PerPrincipal.RefillPerSecond);
        Assert.Same(options.DefaultPolicy, options.GetPolicy(Guid.NewGuid().ToString("D")));
    }

    [Fact]
    public async Task With_Redis_unreachable_requests_are_still_limited_locally_and_health_says_Degraded()
    {
        // A port nothing listens on: bind, read the port, close.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200");
        var options = new RateLimiterOptions
        {
            DefaultPolicy = new RateLimitPolicy(new TokenBucketLimit(100, 1), new TokenBucketLimit(2, 0.001)),
            RedisTimeout = TimeSpan.FromMilliseconds(300),
        };
        var limiter = new ResilientRateLimiter(redis, options);

        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 3; i++) decisions.Add(await limiter.AcquireAsync("tenant", "caller"));

        Assert.Equal([true, true, false], decisions.Select(d => d.Allowed));
        Assert.All(decisions, d => Assert.Equal(RateLimiterMode.LocalFallback, d.Mode));
        var health = await new RateLimiterHealthCheck(limiter).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal("LocalFallback", health.Data["mode"]);
        Assert.Contains("lastError", health.Data.Keys);
    }
}
