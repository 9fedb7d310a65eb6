using System.Diagnostics;
using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Forwarding;
using HrmsAttendance.Gateway.Routing;
using HrmsAttendance.RateLimiting;

namespace HrmsAttendance.Gateway.Pipeline;

/// <summary>
/// Every request that is not the gateway's own (<c>/health</c>, <c>/alive</c>) takes these steps, in this order;
/// the first refusal ends it: route → operation → token → permission → rate limit → forward with the gateway's
/// identity headers. Nothing reaches a service without a tenant and a permission.
/// </summary>
public sealed class GatewayRequestHandler(
    RouteTable routes,
    GatewayAuthenticator authenticator,
    AccessControl accessControl,
    ITokenBucketLimiter rateLimiter,
    IHttpForwarder forwarder,
    ILogger<GatewayRequestHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;

        // 1. Which service owns the path, and which (object, action) the call is: unknown → 404 / UNIMPLEMENTED.
        var match = routes.Match(request);
        var operation = match is null ? null
            : match.Route.Protocol == UpstreamProtocol.Grpc
                ? OperationCatalog.ForGrpc(request.Path.Value ?? "")
                : OperationCatalog.ForHttp(request.Method, request.Path.Value ?? "");
        if (match is null || operation is null)
        {
            await RefuseAsync(context, new GatewayError(GatewayErrors.RouteNotFound, $"no route for {request.Method} {request.Path}"));
            return;
        }

        // 2. Who is calling: a valid bearer token, or 401 / UNAUTHENTICATED.
        var (principal, authenticationError) = await authenticator.AuthenticateAsync(request);
        if (principal is null)
        {
            await RefuseAsync(context, authenticationError!);
            return;
        }
        Tag(principal, operation);

        // 3. May they: the role × (object, action) table, and for employees, only their own person: 403 / PERMISSION_DENIED.
        if (await accessControl.AuthorizeAsync(context, principal, operation) is { } accessError)
        {
            await RefuseAsync(context, accessError);
            return;
        }

        // 4. Within their tenant's and their own token buckets: 429 + Retry-After / RESOURCE_EXHAUSTED.
        var tenant = principal.TenantId.ToString("D");
        var decision = await rateLimiter.AcquireAsync(tenant, principal.Subject, cost: 1, context.RequestAborted);
        if (!decision.Allowed)
        {
            await RefuseAsync(context,
                new GatewayError(GatewayErrors.RateLimited, $"the {(decision.LimitedBy == RateLimitScope.Tenant ? "tenant's" : "caller's")} request rate limit is exhausted; retry after {Math.Ceiling(decision.RetryAfter.TotalSeconds):0} s"),
                decision.RetryAfter);
            return;
        }

        // 5. To the owning service, as this principal. A route whose service is not deployed is unavailable, not missing.
        if (match.Destination is null)
        {
            await RefuseAsync(context, new GatewayError(GatewayErrors.UpstreamUnavailable, $"{match.Route.Service} is not part of this deployment"));
            return;
        }
        await forwarder.ForwardAsync(context, match.Destination, match.Route.Protocol, IdentityHeadersOf(principal));
    }

    /// <summary>What the services read: the tenant (mandatory for them), the principal, its roles and person.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> IdentityHeadersOf(CallerPrincipal principal)
    {
        var headers = new List<KeyValuePair<string, string>>(4)
        {
            new(IdentityHeaders.Tenant, principal.TenantId.ToString("D")),
            new(IdentityHeaders.Principal, principal.Subject),
            new(IdentityHeaders.Roles, string.Join(',', principal.Roles.Order(StringComparer.Ordinal))),
        };
        if (principal.PersonId is { } person) headers.Add(new(IdentityHeaders.Person, person.ToString("D")));
        return headers;
    }

    private async Task RefuseAsync(HttpContext context, GatewayError error, TimeSpan? retryAfter = null)
    {
        logger.LogInformation("Refused {Method} {Path}: {Code} {Detail}", context.Request.Method, context.Request.Path, error.Code, error.Detail);
        Activity.Current?.SetTag("gateway.refusal", error.Code);
        await GatewayErrorResponse.WriteAsync(context, error, retryAfter);
    }

    private static void Tag(CallerPrincipal principal, Operation operation)
    {
        if (Activity.Current is not { } activity) return;
        activity.SetTag("tenant.id", principal.TenantId.ToString("D"));
        activity.SetTag("enduser.id", principal.Subject);
        activity.SetTag("gateway.operation", $"{operation.Object}:{operation.Action}");
    }
}
