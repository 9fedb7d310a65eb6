using HrmsAttendance.Gateway.Errors;

namespace HrmsAttendance.Gateway.Access;

/// <summary>
/// Decides whether a principal may make a call: <see cref="AccessPolicy"/> for its roles and the call's
/// <see cref="Operation"/>, and for a grant limited to the caller's own person, the request itself (a gRPC call's
/// single request message, or the JSON route's query), which must name only the token's <c>person_id</c>.
/// </summary>
public sealed class AccessControl
{
    /// <summary>The largest gRPC request message the gateway reads to check whose it is (1 MiB).</summary>
    public const int MaxInspectedMessageBytes = 1024 * 1024;

    /// <summary>Null when the call may go on; otherwise the refusal (GATEWAY_FORBIDDEN, GATEWAY_BAD_REQUEST, GATEWAY_PAYLOAD_TOO_LARGE).</summary>
    public async Task<GatewayError?> AuthorizeAsync(HttpContext context, CallerPrincipal principal, Operation operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(operation);

        var scope = AccessPolicy.Find(principal.Roles, operation);
        if (scope is null)
            return Ownership.Forbidden($"{RolesOf(principal)} may not {operation.Action} {operation.Object}");
        if (scope == AccessScope.Tenant)
            return null;

        // Own person only: the token must name the person, and the request must be about that person alone.
        var own = $"{RolesOf(principal)} may {operation.Action} {operation.Object} only for the caller's own person";
        if (principal.PersonId is not { } person)
            return Ownership.Forbidden($"{own}, and the token carries no person_id");

        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (OperationCatalog.FindGrpc(path) is { } grpc && grpc.Operation == operation)
        {
            if (!grpc.HasSingleRequest || grpc.CheckOwnership is null)
                return Ownership.Forbidden($"{own}, and {grpc.MethodName} cannot be checked before it is forwarded " +
                    (grpc.HasSingleRequest ? "(its request names no person)" : "(a client stream); use a unary method"));
            var (payload, error) = await GrpcRequestBuffer.ReadSingleMessageAsync(request, MaxInspectedMessageBytes, context.RequestAborted);
            return error ?? grpc.CheckOwnership(payload, person);
        }
        if (OperationCatalog.FindHttp(request.Method, path) is { } http && http.Operation == operation)
        {
            return http.CheckOwnership is null
                ? Ownership.Forbidden($"{own}, and {request.Method} {path} names no person to check")
                : http.CheckOwnership(request, person);
        }
        return Ownership.Forbidden($"{own}, and this call cannot be checked");
    }

    private static string RolesOf(CallerPrincipal principal) => principal.Roles.Count switch
    {
        0 => "a caller without roles",
        1 => $"role {principal.Roles.First()}",
        _ => $"roles {string.Join(", ", principal.Roles.Order(StringComparer.Ordinal))}",
    };
}
