using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Routing;
using Yarp.ReverseProxy.Model;

namespace HrmsAttendance.Gateway.Proxy;

/// <summary>
/// Step 1 of the pipeline, right after endpoint routing and before authentication: a request no YARP route (nor the
/// gateway's own /health, /alive) matched, or that a route matched only loosely (routing ignores case and a trailing
/// slash, gRPC paths are exact; JSON routes are per method), is refused 404 / UNIMPLEMENTED GATEWAY_ROUTE_NOT_FOUND.
/// </summary>
public sealed class GatewayRouteGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is not null
            && (endpoint.Metadata.GetMetadata<RouteModel>() is not { } route || IsCatalogued(context.Request, route)))
            return next(context);

        var request = context.Request;
        return GatewayRefusal.WriteAsync(context,
            new GatewayError(GatewayErrors.RouteNotFound, $"no route for {request.Method} {request.Path}"));
    }

    private static bool IsCatalogued(HttpRequest request, RouteModel route)
    {
        if (route.Config.Metadata?.GetValueOrDefault(GatewayRoutes.CallMetadata) is not { } call) return false;
        var path = request.Path.Value ?? "";
        return call.StartsWith('/')
            ? HttpMethods.IsPost(request.Method) && string.Equals(call, path, StringComparison.Ordinal)
            : OperationCatalog.FindHttp(request.Method, path) is { } http && call == $"{http.Method} {http.Path}";
    }
}
