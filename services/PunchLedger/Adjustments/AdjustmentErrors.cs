using Grpc.Core;
using HrmsAttendance.StableErrors;
using Npgsql;

namespace HrmsAttendance.PunchLedger.Adjustments;

/// <summary>A refusal of an adjustment or audit request, with its stable code (ADJUSTMENT_*, AUDIT_*).</summary>
public sealed class AdjustmentException(string code, string detail, Exception? cause = null) : StableErrorException(code, detail, cause);

/// <summary>The stable codes of attendance.adjustments.v1 and attendance.audit.v1 and their gRPC statuses.</summary>
public static class AdjustmentErrors
{
    public const string InvalidArgument = "ADJUSTMENT_INVALID_ARGUMENT";
    public const string RequestTooLarge = "ADJUSTMENT_REQUEST_TOO_LARGE";
    public const string NotFound = "ADJUSTMENT_NOT_FOUND";
    /// <summary>The request is decided (or withdrawn) already.</summary>
    public const string NotPending = "ADJUSTMENT_NOT_PENDING";
    /// <summary>Not the caller's request, not a person the caller approves, or the caller's own request to decide.</summary>
    public const string Forbidden = "ADJUSTMENT_FORBIDDEN";
    public const string PersonUnknown = "ADJUSTMENT_PERSON_UNKNOWN";
    public const string PersonInactive = "ADJUSTMENT_PERSON_INACTIVE";
    /// <summary>The same client_request_id from the same requester with other fields.</summary>
    public const string IdempotencyConflict = "ADJUSTMENT_IDEMPOTENCY_CONFLICT";
    /// <summary>Raised by the table's state machine (a change it does not allow); the service checks first, so this is a race lost.</summary>
    public const string Immutable = "ADJUSTMENT_IMMUTABLE";
    public const string Unavailable = "ADJUSTMENT_UNAVAILABLE";
    public const string Internal = "ADJUSTMENT_INTERNAL";

    public const string AuditInvalidArgument = "AUDIT_INVALID_ARGUMENT";
    public const string AuditRequestTooLarge = "AUDIT_REQUEST_TOO_LARGE";
    public const string AuditUnavailable = "AUDIT_UNAVAILABLE";

    public static StableErrorTable Statuses { get; } = new()
    {
        { InvalidArgument, StatusCode.InvalidArgument, 400 },
        { RequestTooLarge, StatusCode.ResourceExhausted, 413 },
        { NotFound, StatusCode.NotFound, 404 },
        { NotPending, StatusCode.FailedPrecondition, 409 },
        { Forbidden, StatusCode.PermissionDenied, 403 },
        { PersonUnknown, StatusCode.FailedPrecondition, 409 },
        { PersonInactive, StatusCode.FailedPrecondition, 409 },
        { IdempotencyConflict, StatusCode.AlreadyExists, 409 },
        { Immutable, StatusCode.FailedPrecondition, 409 },
        { Unavailable, StatusCode.Unavailable, 503 },
        { Internal, StatusCode.Internal, 500 },
        { AuditInvalidArgument, StatusCode.InvalidArgument, 400 },
        { AuditRequestTooLarge, StatusCode.ResourceExhausted, 413 },
        { AuditUnavailable, StatusCode.Unavailable, 503 },
    };

    public static AdjustmentException Refuse(string code, string detail, Exception? cause = null) => new(code, detail, cause);

    public static AdjustmentException Invalid(string detail) => new(InvalidArgument, detail);

    /// <summary>Turns a database failure into the refusal the caller sees (the triggers raise ADJUSTMENT_* codes as their message).</summary>
    public static AdjustmentException FromDatabase(Exception e, string unavailableCode = Unavailable) => e switch
    {
        AdjustmentException known => known,
        PostgresException pg when pg.MessageText.StartsWith("ADJUSTMENT_", StringComparison.Ordinal) =>
            Refuse(pg.MessageText, pg.Detail ?? pg.MessageText, e),
        // The kernel's refusal of the correction (the person changed since the request): in the adjustment's words.
        PostgresException { MessageText: "STAFFING_PERSON_UNKNOWN" } pg => Refuse(PersonUnknown, pg.Detail ?? "the person is unknown", e),
        PostgresException { MessageText: "STAFFING_PERSON_INACTIVE" } pg => Refuse(PersonInactive, pg.Detail ?? "the person is deactivated", e),
        PostgresException pg when pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) =>
            Refuse(unavailableCode, $"the database is not available (database error {pg.SqlState}); retry", e),
        PostgresException pg => Refuse(Internal, $"database error {pg.SqlState}", e),
        NpgsqlException or TimeoutException => Refuse(unavailableCode, "the database is unreachable; retry", e),
        _ => Refuse(Internal, "unexpected error", e),
    };
}
