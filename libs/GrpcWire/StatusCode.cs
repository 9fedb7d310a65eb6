namespace HrmsAttendance.GrpcWire;

/// <summary>The gRPC status codes, numbered as in the gRPC specification.</summary>
public enum StatusCode
{
    OK = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

/// <summary>A call's final status: a code and a human-readable detail.</summary>
public readonly record struct Status(StatusCode StatusCode, string Detail)
{
    public static readonly Status DefaultSuccess = new(StatusCode.OK, "");
}

/// <summary>
/// Thrown by a handler to end a call with a status, and thrown by the client when a call ends
/// with a status other than OK.
/// </summary>
public sealed class RpcException(Status status, Metadata? trailers = null)
    : Exception($"Status(StatusCode=\"{status.StatusCode}\", Detail=\"{status.Detail}\")")
{
    public RpcException(StatusCode code, string detail) : this(new Status(code, detail)) { }

    public Status Status { get; } = status;
    public StatusCode StatusCode => Status.StatusCode;
    public Metadata Trailers { get; } = trailers ?? new Metadata();
}
