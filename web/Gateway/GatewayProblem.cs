using Grpc.Core;

namespace HrmsAttendance.Web.Gateway;

/// <summary>
/// A refused or failed call as the pages show it: the stable code the gateway or service put at the start of the
/// status message (<c>CODE: detail</c>), the detail, and the gRPC status.
/// </summary>
public sealed record GatewayProblem(string Code, string Detail, StatusCode Status)
{
    /// <summary>A failure without a stable code of ours (the gateway unreachable, a transport error).</summary>
    public const string UnavailableCode = "WEB_GATEWAY_UNAVAILABLE";

    public bool IsSessionExpired => Status == StatusCode.Unauthenticated;
    public bool IsForbidden => Status == StatusCode.PermissionDenied;

    public static GatewayProblem From(RpcException exception)
    {
        var message = exception.Status.Detail ?? "";
        var separator = message.IndexOf(':', StringComparison.Ordinal);
        var head = separator > 0 ? message[..separator] : message;
        if (IsStableCode(head))
            return new GatewayProblem(head, separator > 0 ? message[(separator + 1)..].Trim() : "", exception.StatusCode);
        return new GatewayProblem(exception.StatusCode == StatusCode.Unavailable ? UnavailableCode : $"GRPC_{exception.StatusCode.ToString().ToUpperInvariant()}",
            message, exception.StatusCode);
    }

    /// <summary>Upper-case letters, digits and underscores, with a family prefix: <c>STAFFING_PERSON_UNKNOWN</c>.</summary>
    private static bool IsStableCode(string text) =>
        text.Length is > 3 and <= 80 && text.Contains('_', StringComparison.Ordinal)
        && text.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9' or '_');
}
