using HrmsAttendance.Gateway.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace HrmsAttendance.Gateway.Access;

/// <summary>
/// Writes a refused authorization as the gateway's refusal: 403 / PERMISSION_DENIED GATEWAY_FORBIDDEN (or the 400 / 413
/// an unreadable own-person message earns) with the reason <see cref="OperationAuthorizationHandler"/> gave.
/// Challenges (no valid token) go to JwtBearer, whose events write the 401.
/// </summary>
public sealed class GatewayAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
            return _default.HandleAsync(next, context, policy, authorizeResult);

        var error = authorizeResult.AuthorizationFailure?.FailureReasons.OfType<GatewayAuthorizationFailure>().FirstOrDefault()?.Error
            ?? new GatewayError(GatewayErrors.Forbidden, "the caller's roles do not allow this call");
        return GatewayRefusal.WriteAsync(context, error);
    }
}
