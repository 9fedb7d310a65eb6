using Grpc.Core;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.Connectors.Integration;

/// <summary>A refusal of a connector's settings or status call, with one of its stable codes.</summary>
public sealed class ConnectorException(string code, string detail, Exception? cause = null) : StableErrorException(code, detail, cause);

/// <summary>
/// A connector's stable codes, <c>&lt;PROVIDER&gt;_*</c> (<c>DINGTALK_INVALID_ARGUMENT</c>, <c>WECOM_FORBIDDEN</c>, …),
/// and their gRPC / HTTP statuses: the same set for every connector, under its provider's prefix.
/// </summary>
public sealed class ConnectorErrors
{
    public ConnectorErrors(string prefix)
    {
        InvalidArgument = $"{prefix}_INVALID_ARGUMENT";
        RequestTooLarge = $"{prefix}_REQUEST_TOO_LARGE";
        Unauthenticated = $"{prefix}_UNAUTHENTICATED";
        TokenExpired = $"{prefix}_TOKEN_EXPIRED";
        TokenInvalid = $"{prefix}_TOKEN_INVALID";
        Forbidden = $"{prefix}_FORBIDDEN";
        SettingsNotFound = $"{prefix}_SETTINGS_NOT_FOUND";
        Unavailable = $"{prefix}_UNAVAILABLE";
        Statuses = new StableErrorTable(malformedRequestCode: InvalidArgument, oversizedRequestCode: RequestTooLarge)
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
        TokenRefusals = new TokenRefusalCodes(Unauthenticated, TokenExpired, TokenInvalid);
    }

    public string InvalidArgument { get; }
    public string RequestTooLarge { get; }
    public string Unauthenticated { get; }
    public string TokenExpired { get; }
    public string TokenInvalid { get; }
    /// <summary>The caller's token lacks the tenant-admin role (the gateway refuses first; a direct caller meets this).</summary>
    public string Forbidden { get; }
    public string SettingsNotFound { get; }
    public string Unavailable { get; }

    public StableErrorTable Statuses { get; }

    public TokenRefusalCodes TokenRefusals { get; }

    public ConnectorException Invalid(string detail) => new(InvalidArgument, detail);
}
