using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Forwarding;
using HrmsAttendance.Gateway.Pipeline;
using HrmsAttendance.Gateway.RateLimits;
using HrmsAttendance.Gateway.Routing;
using HrmsAttendance.RateLimiting;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Extensions;

internal static class Extensions
{
    /// <summary>Where the token settings live: <c>Authentication__Jwt__Issuer</c>, <c>__Audience</c>, <c>__SigningKey</c> (base64).</summary>
    public const string TokenSection = "Authentication:Jwt";

    /// <summary>The shared token buckets' Redis (<c>ConnectionStrings__redis</c>).</summary>
    public const string RedisName = "redis";

    public static void AddGatewayServices(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;

        // No secret has a default: without the signing key the gateway refuses to start, naming the setting.
        var tokenSettings = AccessTokenSettings.FromConfiguration(configuration.GetSection(TokenSection));
        builder.Services.AddSingleton(tokenSettings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(provider => new AccessTokenValidator(tokenSettings, provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<GatewayAuthenticator>();
        builder.Services.AddSingleton<AccessControl>();

        builder.AddGatewayRateLimits(RedisName);
        builder.Services.AddSingleton<ITokenBucketLimiter>(provider => provider.GetRequiredService<ResilientRateLimiter>());

        builder.Services.AddSingleton<RouteTable>();
        builder.Services.AddHttpForwarder(configuration);
        builder.Services.AddSingleton<GatewayRequestHandler>();
    }

    /// <summary>
    /// One catch-all endpoint, below every other endpoint in precedence (so <c>/health</c> and <c>/alive</c> stay the
    /// gateway's own), hands each request to <see cref="GatewayRequestHandler"/>.
    /// </summary>
    public static void MapGatewayRoutes(this WebApplication app)
    {
        var handler = app.Services.GetRequiredService<GatewayRequestHandler>();
        app.Map("/{**path}", handler.HandleAsync).WithOrder(int.MaxValue);

        var routes = app.Services.GetRequiredService<RouteTable>();
        foreach (var (route, destination) in routes.Describe())
        {
            app.Logger.LogInformation("Route {Protocol} {Prefix} -> {Service} {Destination}",
                route.Protocol, route.PathPrefix, route.Service, destination?.ToString() ?? "(not deployed)");
        }
    }
}
