using HrmsAttendance.Gateway.Errors;
using Microsoft.AspNetCore.Authorization;

namespace HrmsAttendance.Gateway.Access;

/// <summary>The one requirement of an operation's policy: <see cref="AccessPolicy"/> grants the caller's roles <see cref="Operation"/>.</summary>
public sealed class OperationRequirement(Operation operation) : IAuthorizationRequirement
{
    public Operation Operation { get; } = operation;

    /// <summary>The policy's name: the operation as <c>object:action</c>, e.g. <c>attendance.punches:submit</c>.</summary>
    public static string PolicyName(Operation operation) => operation.ToString();
}

/// <summary>Why an operation was refused, with the gateway's stable code (GATEWAY_FORBIDDEN, or 400/413 for an unreadable message).</summary>
public sealed class GatewayAuthorizationFailure(IAuthorizationHandler handler, GatewayError error)
    : AuthorizationFailureReason(handler, error.ToString())
{
    public GatewayError Error { get; } = error;
}

/// <summary>
/// Decides an <see cref="OperationRequirement"/> with <see cref="AccessControl"/>: the role × (object, action) table, and
/// for an own-person grant the request itself (the single gRPC request message, gzip or not, or the JSON query).
/// Runs in ASP.NET Core's authorization middleware, before the rate limiter and YARP.
/// </summary>
public sealed class OperationAuthorizationHandler(AccessControl accessControl) : AuthorizationHandler<OperationRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationRequirement requirement)
    {
        // Unauthenticated callers are challenged (401) by the policy's authenticated-user requirement; nothing to read here.
        if (context.Resource is not HttpContext http || CallerPrincipal.Of(http) is not { } principal)
            return;
        if (await accessControl.AuthorizeAsync(http, principal, requirement.Operation) is { } refusal)
            context.Fail(new GatewayAuthorizationFailure(this, refusal));
        else
            context.Succeed(requirement);
    }
}
