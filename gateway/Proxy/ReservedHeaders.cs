using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace HrmsAttendance.Gateway.Proxy;

/// <summary>
/// Headers a client may not send through the gateway: the identity headers services once trusted (they now read the
/// bearer token only, which the gateway forwards as it came) and every <c>x-gateway-*</c> header. Dropped, so that no
/// service behind the gateway, ours or a future one, can be told who is calling by anything but the token.
/// </summary>
public static class ReservedHeaders
{
    public static readonly IReadOnlyList<string> FormerIdentityHeaders = ["x-tenant-id", "x-principal-id", "x-roles", "x-person-id"];

    /// <summary>Any name starting with this is the gateway's own.</summary>
    public const string GatewayPrefix = "x-gateway-";

    /// <summary>The former identity headers (case-insensitive) and every <c>x-gateway-*</c> header.</summary>
    public static bool IsReserved(string headerName)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        foreach (var name in FormerIdentityHeaders)
            if (headerName.Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
        return headerName.StartsWith(GatewayPrefix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The YARP request transform of every route: reserved headers never reach a service. (The caller's Authorization
    /// header does: the service validates the same token again. YARP itself drops hop-by-hop headers, sets X-Forwarded-*,
    /// and its HttpClient continues the trace with the gateway's span.)
    /// </summary>
    public static void AddRemovalTransform(TransformBuilderContext context) =>
        context.AddRequestTransform(transform =>
        {
            var headers = transform.ProxyRequest.Headers;
            List<string>? reserved = null;
            foreach (var header in headers)
                if (IsReserved(header.Key)) (reserved ??= []).Add(header.Key);
            if (reserved is not null)
                foreach (var name in reserved) headers.Remove(name);
            return ValueTask.CompletedTask;
        });
}
