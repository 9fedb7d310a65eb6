using Grpc.Core;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using Npgsql;

namespace HrmsAttendance.Identity.Model;

/// <summary>A refusal with a stable code (<see cref="AccountsErrors"/>); the gRPC edge turns it into its status.</summary>
public sealed class AccountsException(string code, string detail, Exception? cause = null) : StableErrorException(code, detail, cause);

/// <summary>The identity service's stable error codes (prefix <c>ACCOUNTS_</c>) and their gRPC and HTTP statuses.</summary>
public static class AccountsErrors
{
    public const string InvalidArgument = "ACCOUNTS_INVALID_ARGUMENT";
    public const string RequestTooLarge = "ACCOUNTS_REQUEST_TOO_LARGE";
    public const string Unauthenticated = "ACCOUNTS_UNAUTHENTICATED";
    public const string TokenExpired = "ACCOUNTS_TOKEN_EXPIRED";
    public const string TokenInvalid = "ACCOUNTS_TOKEN_INVALID";
    /// <summary>The caller is not the tenant's admin (the gateway refuses first; this is the service's own check).</summary>
    public const string Forbidden = "ACCOUNTS_FORBIDDEN";
    public const string UserNameTaken = "ACCOUNTS_USER_NAME_TAKEN";
    public const string UserNotFound = "ACCOUNTS_USER_NOT_FOUND";
    public const string UserInactive = "ACCOUNTS_USER_INACTIVE";
    /// <summary>The tenant has no entry in the sign-in directory (identity.tenants) yet.</summary>
    public const string TenantUnknown = "ACCOUNTS_TENANT_UNKNOWN";
    /// <summary>Raised by the change trigger when no principal was set (never reaches a caller of the API).</summary>
    public const string PrincipalMissing = "ACCOUNTS_PRINCIPAL_MISSING";
    public const string Unavailable = "ACCOUNTS_UNAVAILABLE";
    public const string Internal = "ACCOUNTS_INTERNAL";

    public static StableErrorTable Statuses { get; } = new(malformedRequestCode: InvalidArgument, oversizedRequestCode: RequestTooLarge)
    {
        { InvalidArgument, StatusCode.InvalidArgument, StatusCodes.Status400BadRequest },
        { RequestTooLarge, StatusCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge },
        { Unauthenticated, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenExpired, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenInvalid, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { Forbidden, StatusCode.PermissionDenied, StatusCodes.Status403Forbidden },
        { UserNameTaken, StatusCode.AlreadyExists, StatusCodes.Status409Conflict },
        { UserNotFound, StatusCode.NotFound, StatusCodes.Status404NotFound },
        { UserInactive, StatusCode.FailedPrecondition, StatusCodes.Status409Conflict },
        { TenantUnknown, StatusCode.FailedPrecondition, StatusCodes.Status409Conflict },
        { PrincipalMissing, StatusCode.Internal, StatusCodes.Status500InternalServerError },
        { Unavailable, StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable },
        { Internal, StatusCode.Internal, StatusCodes.Status500InternalServerError },
    };

    public static TokenRefusalCodes TokenRefusals { get; } = new(Unauthenticated, TokenExpired, TokenInvalid);

    public static AccountsException Invalid(string detail) => new(InvalidArgument, detail);

    /// <summary>Turns a database failure into the refusal the caller sees; the failure stays attached for the logs.</summary>
    public static AccountsException FromDatabase(Exception e) => e switch
    {
        PostgresException pg when pg.MessageText.StartsWith("ACCOUNTS_", StringComparison.Ordinal) => new(pg.MessageText, pg.Detail ?? pg.MessageText, e),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "users_user_name_key" } =>
            new(UserNameTaken, "user_name is taken in this tenant", e),
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation, ConstraintName: "users_tenant_id_fkey" } =>
            new(TenantUnknown, "the tenant has no sign-in directory entry yet", e),
        PostgresException { SqlState: PostgresErrorCodes.CheckViolation } pg => new(InvalidArgument, $"the value breaks the rule {pg.ConstraintName}", e),
        NpgsqlException { IsTransient: true } or TimeoutException => new(Unavailable, "the identity database is unavailable; retry", e),
        PostgresException pg => new(Internal, $"database error {pg.SqlState}", e),
        NpgsqlException => new(Unavailable, "the identity database is unreachable; retry", e),
        _ => new(Internal, "unexpected error", e),
    };
}
