using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Routing;
using HrmsAttendance.StableErrors;
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
        if (route.Config.Metadata?.ContainsKey(GatewayRoutes.WebAppMetadata) == true)
            return IsForWebApp(request);
        if (route.Config.Metadata?.GetValueOrDefault(GatewayRoutes.CallMetadata) is not { } call) return false;
        var path = request.Path.Value ?? "";
        return call.StartsWith('/')
            ? HttpMethods.IsPost(request.Method) && string.Equals(call, path, StringComparison.Ordinal)
            : OperationCatalog.FindHttp(request.Method, path) is { } http && call == $"{http.Method} {http.Path}";
    }

    /// <summary>
    /// What the web app's catch-all may take: not gRPC (by content type, or by its <c>/package.Service/Method</c> path
    /// shape) and nothing under <c>/api</c>, which stay the services' and are refused here when not catalogued.
    /// </summary>
    private static bool IsForWebApp(HttpRequest request)
    {
        if (StableErrorResponse.IsGrpc(request)) return false;
        var path = request.Path.Value ?? "/";
        if (path.Equals("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase)) return false;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return !(segments.Length == 2 && segments[0].Contains('.', StringComparison.Ordinal));
    }
}
