using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Proxy;
using HrmsAttendance.Gateway.RateLimits;
using HrmsAttendance.Gateway.Routing;
using HrmsAttendance.RateLimiting;
using HrmsAttendance.TokenAuthentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Forwarder;

namespace HrmsAttendance.Gateway.Extensions;

internal static class Extensions
{
    /// <summary>The shared token buckets' Redis (<c>ConnectionStrings__redis</c>).</summary>
    public const string RedisName = "redis";

    public static void AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.AddGatewayAuthentication();
        builder.AddGatewayAuthorization();
        builder.AddGatewayRateLimiting();
        builder.AddGatewayProxy();
    }

    /// <summary>
    /// JwtBearer with our HS256 rules, as every service has it (libs/TokenAuthentication; no signing key, no gateway);
    /// a refused token is the gateway's refusal: GATEWAY_UNAUTHENTICATED, GATEWAY_TOKEN_TOO_LARGE, GATEWAY_TOKEN_EXPIRED,
    /// GATEWAY_TOKEN_INVALID.
    /// </summary>
    private static void AddGatewayAuthentication(this IHostApplicationBuilder builder) =>
        builder.AddAccessTokenAuthentication((context, refusal) => GatewayRefusal.WriteAsync(context, new GatewayError(refusal.Kind switch
        {
            TokenRefusalKind.TooLarge => GatewayErrors.TokenTooLarge,
            TokenRefusalKind.Expired => GatewayErrors.TokenExpired,
            TokenRefusalKind.Invalid => GatewayErrors.TokenInvalid,
            _ => GatewayErrors.Unauthenticated,
        }, refusal.Detail)));

    /// <summary>One policy per operation of the role × (object, action) table: an authenticated caller the table grants it.</summary>
    private static void AddGatewayAuthorization(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AccessControl>();
        builder.Services.AddSingleton<IAuthorizationHandler, OperationAuthorizationHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, GatewayAuthorizationResultHandler>();
        builder.Services.AddAuthorization(options =>
        {
            foreach (var operation in AccessPolicy.DecidedOperations)
                options.AddPolicy(OperationRequirement.PolicyName(operation), policy => policy
                    .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                    .RequireAuthenticatedUser()
                    .AddRequirements(new OperationRequirement(operation)));
        });
    }

    /// <summary>ASP.NET Core's rate limiter, one policy for every route, backed by the shared token buckets.</summary>
    private static void AddGatewayRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.AddGatewayRateLimits(RedisName);
        builder.Services.AddSingleton<ITokenBucketLimiter>(provider => provider.GetRequiredService<ResilientRateLimiter>());
        builder.Services.AddRateLimiter(options => options.AddPolicy<(string, string), GatewayRateLimiterPolicy>(GatewayRoutes.RateLimiterPolicy));
    }

    /// <summary>YARP, its routes and clusters built in code from <see cref="GatewayRoutes"/>, destinations by service discovery.</summary>
    private static void AddGatewayProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(GatewayTransportGuard.ConfigureKestrel);
        var forwarding = builder.Configuration.GetSection(GatewayForwardingOptions.SectionName).Get<GatewayForwardingOptions>() ?? new();
        builder.Services.AddSingleton(forwarding);
        var withWebApp = !string.IsNullOrEmpty(builder.Configuration[$"services:{GatewayRoutes.WebApp.Service}:http:0"]);
        builder.Services.AddSingleton<IForwarderHttpClientFactory, GatewayForwarderHttpClientFactory>();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(GatewayRoutes.BuildRoutes(withWebApp), GatewayRoutes.BuildClusters(forwarding, withWebApp))
            .AddTransforms(ReservedHeaders.AddRemovalTransform)
            .AddTransforms(StreamingResponses.AddHeaderFlushTransform)
            .AddServiceDiscoveryDestinationResolver();
    }

    /// <summary>
    /// The steps before YARP, in order; the first refusal ends the request: transport (415 a gRPC content type other than
    /// protobuf, 426 gRPC over HTTP/1.x, 400 a header that is not ASCII, 431 oversized headers) → route (404) → token (401) → permission (403) → rate limit (429). <c>/health</c> and
    /// <c>/alive</c> have no policy and pass the steps after the transport untouched.
    /// </summary>
    public static void UseGatewayPipeline(this WebApplication app)
    {
        app.UseMiddleware<GatewayTransportGuard>();
        app.UseRouting();
        app.UseMiddleware<GatewayRouteGuard>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
    }

    /// <summary>YARP's pipeline, with the gateway's refusal for what it could not forward; and a start-up line per route.</summary>
    public static void MapGatewayProxy(this WebApplication app)
    {
        var forwarding = app.Services.GetRequiredService<GatewayForwardingOptions>();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use((context, next) => ForwarderErrors.MapAsync(context, next));
            proxy.Use((context, next) => ForwarderErrors.LimitRequestBodyAsync(context, forwarding.MaxRequestBodyBytes, next));
        });

        foreach (var route in GatewayRoutes.Routes.Append(GatewayRoutes.WebApp))
        {
            var address = app.Configuration[$"services:{route.Service}:{route.EndpointName}:0"];
            app.Logger.LogInformation("Route {Protocol} {Prefix} -> {Service} {Destination}",
                route.Protocol, route.PathPrefix, route.Service, address ?? "(not deployed)");
        }
    }
}
