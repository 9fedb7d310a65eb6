using HrmsAttendance.StableErrors;
using GrpcStatus = Grpc.Core.StatusCode;

namespace HrmsAttendance.Gateway.Errors;

/// <summary>A refusal by the gateway itself, with a stable code; written as problem details or as a gRPC status.</summary>
public sealed record GatewayError(string Code, string Detail)
{
    public GrpcStatus GrpcStatus => GatewayErrors.GrpcStatusOf(Code);
    public int HttpStatus => GatewayErrors.HttpStatusOf(Code);
    public override string ToString() => $"{Code}: {Detail}";
}

/// <summary>
/// The stable codes the gateway answers with and the one table that maps them to HTTP and gRPC statuses.
/// Codes of the services behind it (STAFFING_*, IDENTITY_*, RESULTS_*) pass through untouched.
/// </summary>
public static class GatewayErrors
{
    /// <summary>No bearer token (or not a bearer scheme).</summary>
    public const string Unauthenticated = "GATEWAY_UNAUTHENTICATED";
    /// <summary>The token's lifetime is over (or it is not valid yet).</summary>
    public const string TokenExpired = "GATEWAY_TOKEN_EXPIRED";
    /// <summary>Bad signature, issuer, audience, algorithm or claims.</summary>
    public const string TokenInvalid = "GATEWAY_TOKEN_INVALID";
    /// <summary>The caller's roles do not allow the (object, action), or an employee reached for another person.</summary>
    public const string Forbidden = "GATEWAY_FORBIDDEN";
    /// <summary>The tenant's or the principal's token bucket is empty.</summary>
    public const string RateLimited = "GATEWAY_RATE_LIMITED";
    /// <summary>No route for the path, or a gRPC method the gateway does not know.</summary>
    public const string RouteNotFound = "GATEWAY_ROUTE_NOT_FOUND";
    /// <summary>The request is malformed before it can be forwarded (a header value that is not printable ASCII, an unreadable gRPC frame needed for an ownership check).</summary>
    public const string BadRequest = "GATEWAY_BAD_REQUEST";
    /// <summary>The request body is larger than the gateway accepts.</summary>
    public const string PayloadTooLarge = "GATEWAY_PAYLOAD_TOO_LARGE";
    /// <summary>A gRPC content type other than application/grpc or application/grpc+proto (gRPC-Web, JSON messages).</summary>
    public const string UnsupportedMediaType = "GATEWAY_UNSUPPORTED_MEDIA_TYPE";
    /// <summary>A gRPC call (content type application/grpc…) over HTTP/1.x: gRPC's status travels in trailers, which HTTP/1.1 cannot carry to the client.</summary>
    public const string Http2Required = "GATEWAY_HTTP2_REQUIRED";
    /// <summary>The Authorization header is longer than any token the issuer makes (<see cref="TokenAuthentication.AccessTokenAuthentication.MaxAuthorizationBytes"/>).</summary>
    public const string TokenTooLarge = "GATEWAY_TOKEN_TOO_LARGE";
    /// <summary>The request's headers other than Authorization are larger than the gateway forwards (<see cref="Proxy.GatewayTransportGuard.MaxForwardedHeaderBytes"/>).</summary>
    public const string HeadersTooLarge = "GATEWAY_HEADERS_TOO_LARGE";
    /// <summary>The owning service is not configured, refused the connection or broke the response.</summary>
    public const string UpstreamUnavailable = "GATEWAY_UPSTREAM_UNAVAILABLE";
    /// <summary>The owning service did not answer in time.</summary>
    public const string UpstreamTimeout = "GATEWAY_UPSTREAM_TIMEOUT";

    private static readonly StableErrorTable Statuses = new()
    {
        { Unauthenticated, GrpcStatus.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenExpired, GrpcStatus.Unauthenticated, StatusCodes.Status401Unauthorized },
        { TokenInvalid, GrpcStatus.Unauthenticated, StatusCodes.Status401Unauthorized },
        { Forbidden, GrpcStatus.PermissionDenied, StatusCodes.Status403Forbidden },
        { RateLimited, GrpcStatus.ResourceExhausted, StatusCodes.Status429TooManyRequests },
        { RouteNotFound, GrpcStatus.Unimplemented, StatusCodes.Status404NotFound },
        { BadRequest, GrpcStatus.InvalidArgument, StatusCodes.Status400BadRequest },
        { PayloadTooLarge, GrpcStatus.ResourceExhausted, StatusCodes.Status413PayloadTooLarge },
        { UnsupportedMediaType, GrpcStatus.Unimplemented, StatusCodes.Status415UnsupportedMediaType },
        { Http2Required, GrpcStatus.Unimplemented, StatusCodes.Status426UpgradeRequired },
        { TokenTooLarge, GrpcStatus.Unauthenticated, StatusCodes.Status401Unauthorized },
        { HeadersTooLarge, GrpcStatus.ResourceExhausted, StatusCodes.Status431RequestHeaderFieldsTooLarge },
        { UpstreamUnavailable, GrpcStatus.Unavailable, StatusCodes.Status502BadGateway },
        { UpstreamTimeout, GrpcStatus.DeadlineExceeded, StatusCodes.Status504GatewayTimeout },
    };

    public static IReadOnlyCollection<string> All => Statuses.Codes;

    public static GrpcStatus GrpcStatusOf(string code) => Statuses.GrpcStatusOf(code);

    public static int HttpStatusOf(string code) => Statuses.HttpStatusOf(code);
}
