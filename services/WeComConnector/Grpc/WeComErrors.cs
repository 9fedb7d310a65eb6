using Grpc.Core;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.WeComConnector.Grpc;

public sealed class WeComException(string code, string detail, Exception? cause = null) : StableErrorException(code, detail, cause);

/// <summary>The connector's stable codes and their gRPC / HTTP statuses.</summary>
public static class WeComErrors
{
    public const string InvalidArgument = "WECOM_INVALID_ARGUMENT";
    public const string RequestTooLarge = "WECOM_REQUEST_TOO_LARGE";
    public const string Unauthenticated = "WECOM_UNAUTHENTICATED";
    public const string TokenExpired = "WECOM_TOKEN_EXPIRED";
    public const string TokenInvalid = "WECOM_TOKEN_INVALID";
    /// <summary>The caller's token lacks the tenant-admin role (the gateway refuses first; a direct caller meets this).</summary>
    public const string Forbidden = "WECOM_FORBIDDEN";
    public const string SettingsNotFound = "WECOM_SETTINGS_NOT_FOUND";
    public const string Unavailable = "WECOM_UNAVAILABLE";

    public static StableErrorTable Statuses { get; } = new(malformedRequestCode: InvalidArgument, oversizedRequestCode: RequestTooLarge)
    {
        { InvalidArgument, StatusCode.InvalidArgument, StatusCodes.Status400BadRequest },
        { RequestTooLarge, StatusCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge },
        { Unauthenticated, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenExpired, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenInvalid, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { Forbidden, StatusCode.PermissionDenied, StatusCodes.Status403Forbidden },
        { SettingsNotFound, StatusCode.NotFound, StatusCodes.Status404NotFound },
        { Unavailable, StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable },
    };

    public static TokenRefusalCodes TokenRefusals { get; } = new(Unauthenticated, TokenExpired, TokenInvalid);

    public static WeComException Invalid(string detail) => new(InvalidArgument, detail);
}
