using Grpc.Core;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using Npgsql;

namespace HrmsAttendance.IdentityMapping.Model;

/// <summary>
/// A refusal with a stable code. Thrown by validation, by the caller check and by the stores (which turn the
/// database doors' raised codes into it); the gRPC and HTTP edges turn it into their status with the same code.
/// </summary>
public sealed class IdentityException(string code, string detail, Exception? cause = null) : StableErrorException(code, detail, cause);

/// <summary>
/// The stable error codes of identity mapping and the one table that maps them to gRPC and HTTP statuses.
/// The database doors raise the same codes as their exception MESSAGE (with the sentence as DETAIL), so a
/// code travels unchanged from SQL to the status message "CODE: detail".
/// </summary>
public static class IdentityErrors
{
    public const string InvalidArgument = "IDENTITY_INVALID_ARGUMENT";
    /// <summary>A request message over the 4 MiB the service reads.</summary>
    public const string RequestTooLarge = "IDENTITY_REQUEST_TOO_LARGE";
    /// <summary>No bearer token (or not exactly one).</summary>
    public const string Unauthenticated = "IDENTITY_UNAUTHENTICATED";
    /// <summary>The token's lifetime is over (or has not begun).</summary>
    public const string TokenExpired = "IDENTITY_TOKEN_EXPIRED";
    /// <summary>Bad signature, issuer, audience, algorithm or claims.</summary>
    public const string TokenInvalid = "IDENTITY_TOKEN_INVALID";
    /// <summary>Raised by the doors when app.current_tenant is not set (the service always sets it from the token).</summary>
    public const string TenantMissing = "IDENTITY_TENANT_MISSING";
    /// <summary>Raised by the doors when app.current_tenant is not a UUID.</summary>
    public const string TenantInvalid = "IDENTITY_TENANT_INVALID";
    public const string EmployeeNumberTaken = "IDENTITY_EMPLOYEE_NUMBER_TAKEN";
    public const string PersonNotFound = "IDENTITY_PERSON_NOT_FOUND";
    public const string PersonInactive = "IDENTITY_PERSON_INACTIVE";
    public const string LinkExists = "IDENTITY_LINK_EXISTS";
    public const string LinkNotFound = "IDENTITY_LINK_NOT_FOUND";
    /// <summary>Raised by the links table's trigger; the API never rewrites history, so a caller never sees it.</summary>
    public const string LinkHistoryImmutable = "IDENTITY_LINK_HISTORY_IMMUTABLE";
    public const string Unavailable = "IDENTITY_UNAVAILABLE";
    public const string Internal = "IDENTITY_INTERNAL";
    /// <summary>A call reserved to another role (the linked-id directory is the connectors').</summary>
    public const string Forbidden = "IDENTITY_FORBIDDEN";

    public static StableErrorTable Statuses { get; } = new(malformedRequestCode: InvalidArgument, oversizedRequestCode: RequestTooLarge)
    {
        { InvalidArgument, StatusCode.InvalidArgument, StatusCodes.Status400BadRequest },
        { RequestTooLarge, StatusCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge },
        { Unauthenticated, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenExpired, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenInvalid, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TenantInvalid, StatusCode.InvalidArgument, StatusCodes.Status400BadRequest },
        { TenantMissing, StatusCode.PermissionDenied, StatusCodes.Status403Forbidden },
        { EmployeeNumberTaken, StatusCode.AlreadyExists, StatusCodes.Status409Conflict },
        { LinkExists, StatusCode.AlreadyExists, StatusCodes.Status409Conflict },
        { PersonNotFound, StatusCode.NotFound, StatusCodes.Status404NotFound },
        { LinkNotFound, StatusCode.NotFound, StatusCodes.Status404NotFound },
        { PersonInactive, StatusCode.FailedPrecondition, StatusCodes.Status409Conflict },
        { LinkHistoryImmutable, StatusCode.FailedPrecondition, StatusCodes.Status409Conflict },
        { Unavailable, StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable },
        { Internal, StatusCode.Internal, StatusCodes.Status500InternalServerError },
        { Forbidden, StatusCode.PermissionDenied, StatusCodes.Status403Forbidden },
    };

    public static TokenRefusalCodes TokenRefusals { get; } = new(Unauthenticated, TokenExpired, TokenInvalid);

    public static StatusCode GrpcStatusOf(string code) => Statuses.GrpcStatusOf(code);

    public static int HttpStatusOf(string code) => Statuses.HttpStatusOf(code);

    public static IdentityException Invalid(string detail) => new(InvalidArgument, detail);

    /// <summary>The stable code a door raised, or null when the exception is not one of ours.</summary>
    public static string? DoorCode(PostgresException e) =>
        e.MessageText.StartsWith("IDENTITY_", StringComparison.Ordinal) ? e.MessageText : null;

    /// <summary>Turns a database failure into the refusal the caller sees; the failure stays attached for the logs.</summary>
    public static IdentityException FromDatabase(Exception e) => e switch
    {
        PostgresException pg when DoorCode(pg) is { } code => new(code, pg.Detail ?? code, e),
        // The tables' CHECK constraints back up the service's own validation.
        PostgresException { SqlState: PostgresErrorCodes.CheckViolation } pg =>
            new(InvalidArgument, $"the value breaks the rule {pg.ConstraintName}", e),
        // Deadlock, serialization failure, shutdown, too many connections: nothing was written; retrying is safe.
        NpgsqlException { IsTransient: true } or TimeoutException => new(Unavailable, "the identity database is unavailable; retry", e),
        PostgresException pg => new(Internal, $"database error {pg.SqlState}", e),
        NpgsqlException => new(Unavailable, "the identity database is unreachable; retry", e),
        _ => new(Internal, "unexpected error", e),
    };
}
