using HrmsAttendance.Gateway.Forwarding;
using HrmsAttendance.GrpcWire.Wire;

namespace HrmsAttendance.Gateway.Routing;

/// <summary>One route: requests whose path starts with <see cref="PathPrefix"/> go to <see cref="Service"/>.</summary>
/// <param name="Service">The owning service's resource name (its address comes from <c>services__&lt;name&gt;__…</c>).</param>
/// <param name="Protocol">gRPC (HTTP/2 to the service's <c>grpc</c> endpoint) or HTTP (to its <c>http</c> endpoint).</param>
public sealed record GatewayRoute(string Service, UpstreamProtocol Protocol, string PathPrefix)
{
    public string EndpointName => Protocol == UpstreamProtocol.Grpc ? "grpc" : "http";
}

/// <summary>A matched route and where its service listens (null when the service is not part of this deployment).</summary>
public sealed record RouteMatch(GatewayRoute Route, Uri? Destination);

/// <summary>
/// Which service owns which paths (architecture.md, "Topology"): gRPC by package prefix, JSON by <c>/api/…</c>
/// prefix. Addresses are read once, by Aspire's convention, from <c>services__&lt;name&gt;__&lt;endpoint&gt;__0</c>.
/// </summary>
public sealed class RouteTable
{
    public static IReadOnlyList<GatewayRoute> Routes { get; } =
    [
        new("punch-ledger", UpstreamProtocol.Grpc, "/attendance.ledger.v1."),
        new("daily-results", UpstreamProtocol.Grpc, "/attendance.results.v1."),
        new("identity-mapping", UpstreamProtocol.Grpc, "/attendance.identity.v1."),

        new("daily-results", UpstreamProtocol.Http, "/api/daily-results"),
        new("identity-mapping", UpstreamProtocol.Http, "/api/identity/"),
        new("punch-ledger", UpstreamProtocol.Http, "/api/punches"),
        new("punch-ledger", UpstreamProtocol.Http, "/api/imports"),
    ];

    private readonly Dictionary<GatewayRoute, Uri?> _destinations;

    public RouteTable(IConfiguration configuration)
    {
        _destinations = Routes.ToDictionary(route => route, route =>
            configuration[$"services:{route.Service}:{route.EndpointName}:0"] is { Length: > 0 } address
                ? new Uri(address.TrimEnd('/'))
                : null);
    }

    /// <summary>The services this gateway can reach, for the start-up log.</summary>
    public IEnumerable<(GatewayRoute Route, Uri? Destination)> Describe() =>
        Routes.Select(route => (route, _destinations[route]));

    /// <summary>
    /// The route for a request, or null. gRPC routes match only gRPC requests (content-type application/grpc…):
    /// a gRPC path asked over plain HTTP has no route.
    /// </summary>
    public RouteMatch? Match(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        var isGrpc = GrpcProtocol.IsGrpcContentType(request.ContentType);
        foreach (var route in Routes)
        {
            if ((route.Protocol == UpstreamProtocol.Grpc) != isGrpc) continue;
            if (!path.StartsWith(route.PathPrefix, StringComparison.Ordinal)) continue;
            return new RouteMatch(route, _destinations[route]);
        }
        return null;
    }
}
