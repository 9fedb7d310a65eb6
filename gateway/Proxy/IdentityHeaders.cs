using HrmsAttendance.Gateway.Access;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace HrmsAttendance.Gateway.Proxy;

/// <summary>The identity headers only the gateway may set. Client copies are always dropped.</summary>
public static class IdentityHeaders
{
    public const string Tenant = "x-tenant-id";
    public const string Principal = "x-principal-id";
    public const string Roles = "x-roles";
    public const string Person = "x-person-id";

    /// <summary>Any name starting with this is the gateway's own (client copies dropped too).</summary>
    public const string GatewayPrefix = "x-gateway-";

    /// <summary>The four identity headers (case-insensitive) and every <c>x-gateway-*</c> header.</summary>
    public static bool IsReserved(string headerName)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        return headerName.Equals(Tenant, StringComparison.OrdinalIgnoreCase)
            || headerName.Equals(Principal, StringComparison.OrdinalIgnoreCase)
            || headerName.Equals(Roles, StringComparison.OrdinalIgnoreCase)
            || headerName.Equals(Person, StringComparison.OrdinalIgnoreCase)
            || headerName.StartsWith(GatewayPrefix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What the services read: the tenant (mandatory for them), the principal, its roles and person.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(CallerPrincipal principal)
    {
        var headers = new List<KeyValuePair<string, string>>(4)
        {
            new(Tenant, principal.TenantId.ToString("D")),
            new(Principal, principal.Subject),
            new(Roles, string.Join(',', principal.Roles.Order(StringComparer.Ordinal))),
        };
        if (principal.PersonId is { } person) headers.Add(new(Person, person.ToString("D")));
        return headers;
    }

    /// <summary>
    /// YARP request transforms for every route: the client's <c>Authorization</c> and reserved headers never reach a
    /// service; the gateway's identity headers, from the authenticated caller, do. (YARP itself drops hop-by-hop
    /// headers, sets X-Forwarded-*, and its HttpClient continues the trace with the gateway's span.)
    /// </summary>
    public static void AddIdentityTransforms(TransformBuilderContext context)
    {
        context.AddRequestHeaderRemove("Authorization");
        context.AddRequestTransform(transform =>
        {
            var headers = transform.ProxyRequest.Headers;
            List<string>? reserved = null;
            foreach (var header in headers)
                if (IsReserved(header.Key)) (reserved ??= []).Add(header.Key);
            if (reserved is not null)
                foreach (var name in reserved) headers.Remove(name);

            // Only authorized callers get here (every route has a policy); no principal, no identity headers.
            if (CallerPrincipal.Of(transform.HttpContext) is { } principal)
                foreach (var (name, value) in Of(principal))
                    headers.TryAddWithoutValidation(name, value);
            return ValueTask.CompletedTask;
        });
    }
}
