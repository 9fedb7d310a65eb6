using Grpc.Core;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using Npgsql;

namespace HrmsAttendance.PunchLedger.Grpc;

/// <summary>A refusal with a stable code; <see cref="StableErrorInterceptor"/> turns it into its gRPC status.</summary>
public sealed class LedgerException(string code, string detail, Exception? cause = null) : StableErrorException(code, detail, cause);

/// <summary>
/// The stable error codes of the punch ledger and the one table that maps them to gRPC status
/// codes. The kernel raises the same codes as its exception MESSAGE, so a code travels unchanged
/// from SQL to the gRPC status message ("CODE: detail").
/// </summary>
public static class LedgerErrors
{
    public const string InvalidArgument = "STAFFING_INVALID_ARGUMENT";
    /// <summary>A request message over the 4 MiB the service reads.</summary>
    public const string RequestTooLarge = "STAFFING_REQUEST_TOO_LARGE";
    public const string IdempotencyConflict = "STAFFING_IDEMPOTENCY_CONFLICT";
    public const string TenantMissing = "STAFFING_TENANT_MISSING";
    public const string TenantMismatch = "STAFFING_TENANT_MISMATCH";
    public const string TenantInvalid = "STAFFING_TENANT_INVALID";
    public const string EventImmutable = "STAFFING_EVENT_IMMUTABLE";
    // The two person codes refuse what a later change of identity-mapping can make acceptable: a connector (issue 12) would
    // park such a punch as it parks one whose platform user id is unmapped, and replay it with the same request_id.
    /// <summary>The punch's person_uuid is no person of the caller's tenant (identity-mapping has none; another tenant's is unknown too).</summary>
    public const string PersonUnknown = "STAFFING_PERSON_UNKNOWN";
    /// <summary>The punch's person is deactivated in identity-mapping.</summary>
    public const string PersonInactive = "STAFFING_PERSON_INACTIVE";
    public const string Unavailable = "STAFFING_UNAVAILABLE";
    /// <summary>No bearer token (or not exactly one).</summary>
    public const string Unauthenticated = "STAFFING_UNAUTHENTICATED";
    /// <summary>The token's lifetime is over (or has not begun).</summary>
    public const string TokenExpired = "STAFFING_TOKEN_EXPIRED";
    /// <summary>Bad signature, issuer, audience, algorithm or claims.</summary>
    public const string TokenInvalid = "STAFFING_TOKEN_INVALID";
    public const string Internal = "STAFFING_INTERNAL";

    /// <summary>
    /// gRPC only: the ledger has no HTTP edge (a call without a usable token to its HTTP port is still a 401 with the
    /// code). A request that is not its method's message is STAFFING_INVALID_ARGUMENT too.
    /// </summary>
    public static StableErrorTable Statuses { get; } = WithImportAndAdjustmentCodes(new(malformedRequestCode: InvalidArgument, oversizedRequestCode: RequestTooLarge)
    {
        { InvalidArgument, StatusCode.InvalidArgument },
        { RequestTooLarge, StatusCode.ResourceExhausted },
        { TenantInvalid, StatusCode.InvalidArgument },
        { IdempotencyConflict, StatusCode.AlreadyExists },
        { TenantMissing, StatusCode.PermissionDenied },
        { TenantMismatch, StatusCode.PermissionDenied },
        { EventImmutable, StatusCode.FailedPrecondition },
        // The request is well formed; the system's state (the person) must change before it can succeed.
        { PersonUnknown, StatusCode.FailedPrecondition },
        { PersonInactive, StatusCode.FailedPrecondition },
        { Unavailable, StatusCode.Unavailable },
        { Unauthenticated, StatusCode.Unauthenticated },
        { TokenExpired, StatusCode.Unauthenticated },
        { TokenInvalid, StatusCode.Unauthenticated },
        { Internal, StatusCode.Internal },
    });

    /// <summary>attendance.imports.v1 is served here too: its IMPORT_* codes keep the gRPC statuses of their own table.</summary>
    private static StableErrorTable WithImportAndAdjustmentCodes(StableErrorTable table)
    {
        foreach (var error in Imports.ImportErrors.Statuses) table.Add(error.Code, error.GrpcStatus);
        // A request to the imports service that is not its message, or too large, is refused with IMPORT_* codes too.
        table.UseRequestCodesFor(Contracts.Imports.V1.Imports.Descriptor.FullName, Imports.ImportErrors.InvalidArgument,
            Imports.ImportErrors.RequestTooLarge);
        // attendance.adjustments.v1 and attendance.audit.v1 likewise, with their own codes.
        foreach (var error in Adjustments.AdjustmentErrors.Statuses) table.Add(error.Code, error.GrpcStatus);
        table.UseRequestCodesFor(Contracts.Adjustments.V1.Adjustments.Descriptor.FullName, Adjustments.AdjustmentErrors.InvalidArgument,
            Adjustments.AdjustmentErrors.RequestTooLarge);
        table.UseRequestCodesFor(Contracts.Audit.V1.AuditLog.Descriptor.FullName, Adjustments.AdjustmentErrors.AuditInvalidArgument,
            Adjustments.AdjustmentErrors.AuditRequestTooLarge);
        return table;
    }

    public static TokenRefusalCodes TokenRefusals { get; } = new(Unauthenticated, TokenExpired, TokenInvalid);

    public static LedgerException Refuse(string code, string detail, Exception? cause = null) => new(code, detail, cause);

    /// <summary>The stable code a kernel exception carries, or null when it is not one of ours.</summary>
    public static string? KernelCode(PostgresException e) =>
        e.MessageText.StartsWith("STAFFING_", StringComparison.Ordinal) ? e.MessageText : null;

    /// <summary>Turns a database failure into the refusal the caller sees; the failure stays attached for the logs.</summary>
    public static LedgerException FromDatabase(Exception e) => e switch
    {
        PostgresException pg when KernelCode(pg) is { } code => Refuse(code, pg.Detail ?? code, e),
        // Postgres shutting down or starting (57P01, 57P03), out of connections, a deadlock: the call may be retried, and
        // the request_id makes the retry safe. The fault suite saw these end as INTERNAL during a Postgres restart.
        PostgresException pg when pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) =>
            Refuse(Unavailable, $"the ledger database is not available (database error {pg.SqlState}); retry with the same request_id", e),
        PostgresException pg => Refuse(Internal, $"database error {pg.SqlState}", e),
        NpgsqlException or TimeoutException => Refuse(Unavailable, "the ledger database is unreachable; retry with the same request_id", e),
        _ => Refuse(Internal, "unexpected error", e),
    };
}
