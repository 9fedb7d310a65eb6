using HrmsAttendance.GrpcWire;
using Npgsql;

namespace HrmsAttendance.PunchLedger.Grpc;

/// <summary>
/// The stable error codes of the punch ledger and the one table that maps them to gRPC status
/// codes. The kernel raises the same codes as its exception MESSAGE, so a code travels unchanged
/// from SQL to the gRPC status message ("CODE: detail").
/// </summary>
public static class LedgerErrors
{
    public const string InvalidArgument = "STAFFING_INVALID_ARGUMENT";
    public const string IdempotencyConflict = "STAFFING_IDEMPOTENCY_CONFLICT";
    public const string TenantMissing = "STAFFING_TENANT_MISSING";
    public const string TenantMismatch = "STAFFING_TENANT_MISMATCH";
    public const string TenantInvalid = "STAFFING_TENANT_INVALID";
    public const string EventImmutable = "STAFFING_EVENT_IMMUTABLE";
    public const string Unavailable = "STAFFING_UNAVAILABLE";
    public const string Internal = "STAFFING_INTERNAL";

    /// <summary>gRPC only: the ledger has no HTTP edge.</summary>
    private static readonly StableErrorTable Statuses = new()
    {
        { InvalidArgument, StatusCode.InvalidArgument },
        { TenantInvalid, StatusCode.InvalidArgument },
        { IdempotencyConflict, StatusCode.AlreadyExists },
        { TenantMissing, StatusCode.PermissionDenied },
        { TenantMismatch, StatusCode.PermissionDenied },
        { EventImmutable, StatusCode.FailedPrecondition },
        { Unavailable, StatusCode.Unavailable },
        { Internal, StatusCode.Internal },
    };

    public static RpcException Rpc(string code, string detail) =>
        new(Statuses.GrpcStatusOf(code), $"{code}: {detail}");

    /// <summary>The stable code a kernel exception carries, or null when it is not one of ours.</summary>
    public static string? KernelCode(PostgresException e) =>
        e.MessageText.StartsWith("STAFFING_", StringComparison.Ordinal) ? e.MessageText : null;

    /// <summary>Turns a database failure into the status the caller sees.</summary>
    public static RpcException FromDatabase(Exception e) => e switch
    {
        PostgresException pg when KernelCode(pg) is { } code => Rpc(code, pg.Detail ?? code),
        PostgresException pg => Rpc(Internal, $"database error {pg.SqlState}"),
        NpgsqlException or TimeoutException => Rpc(Unavailable, "the ledger database is unreachable; retry with the same request_id"),
        _ => Rpc(Internal, "unexpected error"),
    };
}
