using HrmsAttendance.RateLimiting;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.TokenAuthentication;
using HrmsAttendance.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Yarp.ReverseProxy.Configuration;

namespace HrmsAttendance.Gateway.Benchmarks;

/// <summary>
/// The least a gateway that follows issue 10's rules can cost: the bare YARP hop plus only what the rules require of
/// every call — ServiceDefaults' telemetry exported to the dashboard (the gateway's span, continued by the service),
/// JwtBearer with the same token rules (libs/TokenAuthentication), an authenticated-caller policy, and a take from the
/// tenant's and the caller's Redis token buckets (libs/RateLimiting's <see cref="ResilientRateLimiter"/>) in a plain
/// middleware. None of the gateway's own work: no transport or route guards, no role × operation table, no own-person
/// check, no header transforms, no problem details, no ASP.NET Core rate-limiter middleware. YARP's default client, so
/// two spans per call (server and client) where the gateway has one (gateway/Proxy/ServerSpanPropagation.cs).
/// Runs as this benchmark's executable with <c>--rules-proxy</c>, configured by the gateway's own environment (token
/// settings, Redis, OTLP), so its telemetry reaches the same dashboard.
/// </summary>
public static class RulesProxy
{
    public static async Task<int> ServeUntilStdinClosesAsync(IEnumerable<string> upstreamArguments)
    {
        var builder = WebApplication.CreateBuilder();
        BareProxy.ListenForGrpc(builder.WebHost);
        builder.AddServiceDefaults();
        // The ASP.NET Core template's levels (and the gateway's): no Information line per request.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning);
        builder.AddAccessTokenAuthentication((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        });
        builder.Services.AddAuthorization(options => options.AddPolicy("caller", policy => policy.RequireAuthenticatedUser()));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(builder.Configuration.GetConnectionString("redis")
            ?? throw new InvalidOperationException("no ConnectionStrings__redis"), redis => redis.SocketManager = SocketManager.ThreadPool);
        var buckets = new ResilientRateLimiter(redis, UnthrottledLimits());
        var (routes, clusters) = BareProxy.Routes(upstreamArguments);
        builder.Services.AddReverseProxy().LoadFromMemory(routes.Select(route => route with { AuthorizationPolicy = "caller" }).ToList(), clusters);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(async (context, next) =>
        {
            var caller = context.User;
            if (caller.Identity?.IsAuthenticated == true)
            {
                var decision = await buckets.AcquireAsync(caller.FindFirst(AccessTokenClaimNames.Tenant)?.Value ?? "-", caller.FindFirst(AccessTokenClaimNames.Subject)?.Value, 1, context.RequestAborted);
                if (!decision.Allowed)
                {
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    return;
                }
            }
            await next(context);
        });
        app.MapReverseProxy();
        return await BareProxy.ServeUntilStdinClosesAsync(app);
    }

    /// <summary>Limits that never throttle the benchmark, as it raises the gateway's; the Redis round trip is still paid.</summary>
    public static RateLimiterOptions UnthrottledLimits() => new()
    {
        DefaultPolicy = new(new(1_000_000, 1_000_000), new(1_000_000, 1_000_000)),
    };
}
