using Grpc.Core;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using Npgsql;

namespace HrmsAttendance.DailyResults.Model;

/// <summary>A refusal with a stable code; the gRPC and HTTP edges turn it into their status with the same code.</summary>
public sealed class ResultsException(string code, string detail, Exception? cause = null) : StableErrorException(code, detail, cause);

/// <summary>The stable error codes of daily results and the one table that maps them to gRPC and HTTP statuses.</summary>
public static class ResultsErrors
{
    public const string InvalidArgument = "RESULTS_INVALID_ARGUMENT";
    /// <summary>A request message over the 4 MiB the service reads.</summary>
    public const string RequestTooLarge = "RESULTS_REQUEST_TOO_LARGE";
    /// <summary>No bearer token (or not exactly one).</summary>
    public const string Unauthenticated = "RESULTS_UNAUTHENTICATED";
    /// <summary>The token's lifetime is over (or has not begun).</summary>
    public const string TokenExpired = "RESULTS_TOKEN_EXPIRED";
    /// <summary>Bad signature, issuer, audience, algorithm or claims.</summary>
    public const string TokenInvalid = "RESULTS_TOKEN_INVALID";
    public const string NotFound = "RESULTS_NOT_FOUND";
    /// <summary>A watch resumed after a change the feed no longer keeps (pruned): re-read the results, watch from now.</summary>
    public const string ChangesExpired = "RESULTS_CHANGES_EXPIRED";
    public const string Unavailable = "RESULTS_UNAVAILABLE";
    public const string Internal = "RESULTS_INTERNAL";

    public static StableErrorTable Statuses { get; } = new(malformedRequestCode: InvalidArgument, oversizedRequestCode: RequestTooLarge)
    {
        { InvalidArgument, StatusCode.InvalidArgument, StatusCodes.Status400BadRequest },
        { RequestTooLarge, StatusCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge },
        { Unauthenticated, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenExpired, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenInvalid, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized },
        { NotFound, StatusCode.NotFound, StatusCodes.Status404NotFound },
        { ChangesExpired, StatusCode.FailedPrecondition, StatusCodes.Status410Gone },
        { Unavailable, StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable },
        { Internal, StatusCode.Internal, StatusCodes.Status500InternalServerError },
    };

    public static TokenRefusalCodes TokenRefusals { get; } = new(Unauthenticated, TokenExpired, TokenInvalid);

    public static StatusCode GrpcStatusOf(string code) => Statuses.GrpcStatusOf(code);

    public static int HttpStatusOf(string code) => Statuses.HttpStatusOf(code);

    public static ResultsException Invalid(string detail) => new(InvalidArgument, detail);

    /// <summary>Runs a database read; a failure (not a cancellation) becomes <see cref="FromDatabase"/>'s refusal.</summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        try { return await read(); }
        catch (Exception e) when (e is not OperationCanceledException) { throw FromDatabase(e); }
    }

    /// <summary>Turns a database failure into the refusal the caller sees; the failure stays attached for the logs.</summary>
    public static ResultsException FromDatabase(Exception e) => e switch
    {
        NpgsqlException { IsTransient: true } or TimeoutException => new(Unavailable, "the results database is unavailable; retry", e),
        PostgresException pg => new(Internal, $"database error {pg.SqlState}", e),
        NpgsqlException => new(Unavailable, "the results database is unreachable; retry", e),
        _ => new(Internal, "unexpected error", e),
    };
}
