using Grpc.Core;
using HrmsAttendance.StableErrors;
using Npgsql;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>A refusal of an import request, with its stable code (IMPORT_*).</summary>
public sealed class ImportException(string code, string detail, Exception? cause = null) : StableErrorException(code, detail, cause);

/// <summary>
/// The stable codes of imports: the requests' refusals (each with its gRPC and HTTP status) and the row codes of the
/// preview and the report (<see cref="RowCodes"/>), which describe a line of a file, not a failed request.
/// </summary>
public static class ImportErrors
{
    public const string InvalidArgument = "IMPORT_INVALID_ARGUMENT";
    /// <summary>A gRPC request message over the service's size limit (not a file: that is <see cref="FileTooLarge"/>).</summary>
    public const string RequestTooLarge = "IMPORT_REQUEST_TOO_LARGE";
    public const string FileTooLarge = "IMPORT_FILE_TOO_LARGE";
    public const string FileEmpty = "IMPORT_FILE_EMPTY";
    public const string NotFound = "IMPORT_NOT_FOUND";
    /// <summary>The import is not in a state that allows the request (still parsing, failed, already committing).</summary>
    public const string NotReady = "IMPORT_NOT_READY";
    public const string TokenInvalid = "IMPORT_TOKEN_INVALID";
    public const string TokenExpired = "IMPORT_TOKEN_EXPIRED";
    public const string TokenUsed = "IMPORT_TOKEN_USED";
    /// <summary>The idempotency key already names the commit of another file.</summary>
    public const string IdempotencyConflict = "IMPORT_IDEMPOTENCY_CONFLICT";
    public const string Unavailable = "IMPORT_UNAVAILABLE";
    public const string Internal = "IMPORT_INTERNAL";

    // Why a whole file cannot be imported (the batch is FAILED with one of these).
    public const string FileBadHeader = "IMPORT_FILE_BAD_HEADER";
    public const string FileUnreadable = "IMPORT_FILE_UNREADABLE";

    public static StableErrorTable Statuses { get; } = new()
    {
        { InvalidArgument, StatusCode.InvalidArgument, 400 },
        { FileTooLarge, StatusCode.ResourceExhausted, 413 },
        { RequestTooLarge, StatusCode.ResourceExhausted, 413 },
        { FileEmpty, StatusCode.InvalidArgument, 400 },
        { NotFound, StatusCode.NotFound, 404 },
        { NotReady, StatusCode.FailedPrecondition, 409 },
        { TokenInvalid, StatusCode.PermissionDenied, 403 },
        { TokenExpired, StatusCode.FailedPrecondition, 410 },
        { TokenUsed, StatusCode.FailedPrecondition, 409 },
        { IdempotencyConflict, StatusCode.AlreadyExists, 409 },
        { Unavailable, StatusCode.Unavailable, 503 },
        { Internal, StatusCode.Internal, 500 },
    };

    /// <summary>The row codes, one per kind of problem a line can have.</summary>
    public static class RowCodes
    {
        public const string MissingPerson = "IMPORT_ROW_MISSING_PERSON";
        public const string BadPerson = "IMPORT_ROW_BAD_PERSON";
        public const string UnknownEmployee = "IMPORT_ROW_UNKNOWN_EMPLOYEE";
        public const string UnknownPerson = "IMPORT_ROW_UNKNOWN_PERSON";
        public const string InactivePerson = "IMPORT_ROW_INACTIVE_PERSON";
        public const string UnmappedExternalId = "IMPORT_ROW_UNMAPPED_EXTERNAL_ID";
        public const string BadTime = "IMPORT_ROW_BAD_TIME";
        public const string OutOfRange = "IMPORT_ROW_OUT_OF_RANGE";
        public const string BadType = "IMPORT_ROW_BAD_TYPE";
        public const string BadRequestId = "IMPORT_ROW_BAD_REQUEST_ID";
        public const string DuplicateInFile = "IMPORT_ROW_DUPLICATE_IN_FILE";
        /// <summary>A DingTalk export's row that records no punch: no 打卡时间 (原始记录), 缺卡 or no time at all (每日统计).</summary>
        public const string NotAPunch = "IMPORT_ROW_NOT_A_PUNCH";
        /// <summary>A DingTalk punch the ledger already has: same person, same minute, from the DingTalk connector or an earlier DingTalk import.</summary>
        public const string AlreadyRecorded = "IMPORT_ROW_ALREADY_RECORDED";
    }

    public static ImportException Refuse(string code, string detail, Exception? cause = null) => new(code, detail, cause);

    public static ImportException Invalid(string detail) => new(InvalidArgument, detail);

    /// <summary>Turns a database failure into the refusal the caller sees; the failure stays attached for the logs.</summary>
    public static ImportException FromDatabase(Exception e) => e switch
    {
        ImportException import => import,
        PostgresException pg when pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) =>
            Refuse(Unavailable, $"the database is not available (database error {pg.SqlState}); retry", e),
        NpgsqlException { InnerException: TimeoutException or System.Net.Sockets.SocketException } =>
            Refuse(Unavailable, "the database is not available; retry", e),
        PostgresException pg => Refuse(Internal, $"database error {pg.SqlState}", e),
        _ => Refuse(Internal, "the import failed", e),
    };
}
