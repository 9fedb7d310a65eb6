using Grpc.Core;
using HrmsAttendance.StableErrors;
using HrmsAttendance.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.TokenAuthentication;

/// <summary>The stable codes a service answers a call without a usable token with (its own prefix); all are UNAUTHENTICATED / 401.</summary>
public sealed record TokenRefusalCodes(string Unauthenticated, string TokenExpired, string TokenInvalid)
{
    public string For(TokenRefusalKind kind) => kind switch
    {
        TokenRefusalKind.Expired => TokenExpired,
        TokenRefusalKind.Invalid => TokenInvalid,
        _ => Unauthenticated,
    };
}

/// <summary>
/// A service believes a bearer token, never a header: every endpoint on either port needs a valid access token (the
/// authorization fallback policy), except those mapped <c>AllowAnonymous</c> (<c>/health</c>, <c>/alive</c>, gRPC health,
/// and reflection in Development); the caller — tenant, subject, roles, person — is read from the token alone.
/// What a role may do is still decided by the gateway's table; here a token proves who is calling and for which tenant.
/// </summary>
public static partial class ServiceAuthentication
{
    public static void AddServiceAuthentication(this IHostApplicationBuilder builder, TokenRefusalCodes codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        builder.AddAccessTokenAuthentication((context, refusal) => RefuseAsync(context, codes.For(refusal.Kind), refusal.Detail));
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .Build());
    }

    /// <summary>Who is calling: the claims of the request's validated token.</summary>
    /// <exception cref="InvalidOperationException">The endpoint was reached without authentication (it must not be anonymous).</exception>
    public static AccessTokenClaims Caller(this HttpContext context) =>
        AccessTokenPrincipal.FromPrincipal(context.User)
        ?? throw new InvalidOperationException($"{context.Request.Path} was reached without a validated access token; only health endpoints may be anonymous.");

    /// <inheritdoc cref="Caller(HttpContext)"/>
    public static AccessTokenClaims Caller(this ServerCallContext context) => context.GetHttpContext().Caller();

    private static Task RefuseAsync(HttpContext context, string code, string detail)
    {
        // The gateway checks tokens first, so a refusal here means a caller bypassed it (or a key differs): worth a warning.
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("HrmsAttendance.TokenAuthentication");
        Log.Refused(logger, context.Request.Method, context.Request.Path, code, detail);
        return StableErrorResponse.WriteAsync(context, code, detail, StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refused {Method} {Path}: {Code} {Detail}")]
        public static partial void Refused(ILogger logger, string method, string path, string code, string detail);
    }
}
