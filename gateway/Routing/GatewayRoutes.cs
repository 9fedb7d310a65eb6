using System.Net;
using HrmsAttendance.Gateway.Access;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace HrmsAttendance.Gateway.Routing;

/// <summary>gRPC (HTTP/2 to the service's <c>grpc</c> endpoint) or JSON over HTTP/1.1 (to its <c>http</c> endpoint).</summary>
public enum UpstreamProtocol
{
    Grpc,
    Http,
}

/// <summary>One route: requests whose path starts with <see cref="PathPrefix"/> belong to <see cref="Service"/>.</summary>
/// <param name="Service">The owning service's resource name (its address comes from <c>services__&lt;name&gt;__…</c>).</param>
public sealed record GatewayRoute(string Service, UpstreamProtocol Protocol, string PathPrefix)
{
    public string EndpointName => Protocol == UpstreamProtocol.Grpc ? "grpc" : "http";

    /// <summary>The YARP cluster of the service's endpoint, e.g. <c>punch-ledger/grpc</c>.</summary>
    public string ClusterId => $"{Service}/{EndpointName}";

    /// <summary>
    /// The address Microsoft.Extensions.ServiceDiscovery resolves (Aspire's convention): <c>http://_grpc.punch-ledger</c>
    /// reads <c>services:punch-ledger:grpc:0</c>, <c>http://punch-ledger</c> reads <c>services:punch-ledger:http:0</c>.
    /// </summary>
    public string DiscoveryAddress => Protocol == UpstreamProtocol.Grpc ? $"http://_grpc.{Service}" : $"http://{Service}";
}

/// <summary>
/// Which service owns which paths (architecture.md, "Topology"): gRPC by package prefix (gRPC content type only), JSON
/// by <c>/api/…</c> prefix. From this table and <see cref="OperationCatalog"/> the YARP routes and clusters are built
/// in code: one route per catalogued call (a call that is not catalogued has no route, so it is refused with 404 /
/// UNIMPLEMENTED before anything else), carrying its operation's authorization policy and the rate limiter policy.
/// </summary>
public static class GatewayRoutes
{
    public const string RateLimiterPolicy = "gateway";

    /// <summary>Route metadata: the catalogued call (gRPC path, or "METHOD path" for JSON) a YARP route stands for.</summary>
    public const string CallMetadata = "gateway.call";

    public static IReadOnlyList<GatewayRoute> Routes { get; } =
    [
        new("punch-ledger", UpstreamProtocol.Grpc, "/attendance.ledger.v1."),
        new("daily-results", UpstreamProtocol.Grpc, "/attendance.results.v1."),
        new("identity-mapping", UpstreamProtocol.Grpc, "/attendance.identity.v1."),
        new("punch-ledger", UpstreamProtocol.Grpc, "/attendance.imports.v1."),
        new("punch-ledger", UpstreamProtocol.Grpc, "/attendance.adjustments.v1."),
        new("punch-ledger", UpstreamProtocol.Grpc, "/attendance.audit.v1."),
        new("dingtalk-connector", UpstreamProtocol.Grpc, "/attendance.integrations.dingtalk.v1."),
        new("wecom-connector", UpstreamProtocol.Grpc, "/attendance.integrations.wecom.v1."),
        new("identity", UpstreamProtocol.Grpc, "/attendance.accounts.v1."),

        new("daily-results", UpstreamProtocol.Http, "/api/daily-results"),
        new("identity-mapping", UpstreamProtocol.Http, "/api/identity/"),
        new("punch-ledger", UpstreamProtocol.Http, "/api/punches"),
        new("punch-ledger", UpstreamProtocol.Http, "/api/imports"),
        new("dingtalk-connector", UpstreamProtocol.Http, "/api/integrations/dingtalk/"),
        new("wecom-connector", UpstreamProtocol.Http, "/api/integrations/wecom/"),
    ];

    /// <summary>
    /// The web app's pages (resource <c>web</c>): every path no other route takes, anonymous at the gateway (the app
    /// signs its users in with its own cookie; its calls come back through the gRPC routes with the user's token).
    /// Only in a topology that has the app (<c>services:web:http:0</c>); never <c>/api/…</c> nor anything gRPC
    /// (<see cref="Proxy.GatewayRouteGuard"/>).
    /// </summary>
    public static GatewayRoute WebApp { get; } = new("web", UpstreamProtocol.Http, "/");

    /// <summary>Route metadata marking the web app's catch-all route.</summary>
    public const string WebAppMetadata = "gateway.web-app";

    /// <summary>The owning route of a path, or null.</summary>
    public static GatewayRoute? Owner(UpstreamProtocol protocol, string path) =>
        Routes.FirstOrDefault(route => route.Protocol == protocol && path.StartsWith(route.PathPrefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>The YARP routes: every catalogued gRPC method and JSON route whose path a service owns.</summary>
    public static IReadOnlyList<RouteConfig> BuildRoutes(bool withWebApp = false)
    {
        var routes = new List<RouteConfig>();
        foreach (var path in OperationCatalog.GrpcMethods.Order(StringComparer.Ordinal))
        {
            if (Owner(UpstreamProtocol.Grpc, path) is not { } owner) continue;
            routes.Add(new RouteConfig
            {
                RouteId = "grpc " + path,
                ClusterId = owner.ClusterId,
                AuthorizationPolicy = OperationRequirement.PolicyName(OperationCatalog.ForGrpc(path)!),
                RateLimiterPolicy = RateLimiterPolicy,
                Metadata = new Dictionary<string, string> { [CallMetadata] = path },
                Match = new RouteMatch
                {
                    Path = path,
                    Headers = [new RouteHeader { Name = "content-type", Values = ["application/grpc"], Mode = HeaderMatchMode.HeaderPrefix }],
                },
            });
        }
        foreach (var (method, path, operation) in OperationCatalog.HttpRoutes)
        {
            if (Owner(UpstreamProtocol.Http, path) is not { } owner) continue;
            routes.Add(new RouteConfig
            {
                RouteId = $"http {method} {path}",
                ClusterId = owner.ClusterId,
                AuthorizationPolicy = OperationRequirement.PolicyName(operation),
                RateLimiterPolicy = RateLimiterPolicy,
                Metadata = new Dictionary<string, string> { [CallMetadata] = $"{method} {path}" },
                // No Methods here: a wrong method must be 404 GATEWAY_ROUTE_NOT_FOUND (see GatewayRouteGuard), not routing's 405.
                Match = new RouteMatch { Path = path },
            });
        }
        if (withWebApp)
            routes.Add(new RouteConfig
            {
                RouteId = "web {**path}",
                ClusterId = WebApp.ClusterId,
                Order = int.MaxValue, // after every other route: the pages take only what nothing else does
                Metadata = new Dictionary<string, string> { [WebAppMetadata] = "true" },
                Match = new RouteMatch { Path = "/{**path}" },
            });
        return routes;
    }

    /// <summary>
    /// One cluster per service endpoint: gRPC clusters speak HTTP/2 only (h2c with prior knowledge, as the services'
    /// <c>grpc</c> endpoints are HTTP/2-only cleartext), JSON clusters HTTP/1.1.
    /// </summary>
    public static IReadOnlyList<ClusterConfig> BuildClusters(GatewayForwardingOptions options, bool withWebApp = false) =>
        Routes.Concat(withWebApp ? [WebApp] : []).DistinctBy(route => route.ClusterId).Select(route => new ClusterConfig
        {
            ClusterId = route.ClusterId,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [route.Service] = new() { Address = route.DiscoveryAddress },
            },
            HttpRequest = route.Protocol == UpstreamProtocol.Grpc
                ? new ForwarderRequestConfig
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                    ActivityTimeout = options.GrpcActivityTimeout,
                    AllowResponseBuffering = false,
                }
                : new ForwarderRequestConfig
                {
                    Version = HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                    ActivityTimeout = options.HttpTimeout,
                },
            HttpClient = new HttpClientConfig { DangerousAcceptAnyServerCertificate = false, EnableMultipleHttp2Connections = true },
        }).ToList();
}

/// <summary>Bound from the configuration section <c>Gateway:Forwarding</c>.</summary>
public sealed class GatewayForwardingOptions
{
    public const string SectionName = "Gateway:Forwarding";

    /// <summary>JSON routes: the longest the upstream may stay silent (YARP's ActivityTimeout) before 504 GATEWAY_UPSTREAM_TIMEOUT.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>gRPC routes: the longest a call may stay idle in both directions (streams wait for messages; deadlines are the client's, via grpc-timeout).</summary>
    public TimeSpan GrpcActivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The largest JSON request body (413 GATEWAY_PAYLOAD_TOO_LARGE beyond it); gRPC streams are not limited.</summary>
    public long MaxRequestBodyBytes { get; set; } = 100L * 1024 * 1024;
}
