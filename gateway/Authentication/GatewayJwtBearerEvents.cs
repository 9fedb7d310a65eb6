using System.Diagnostics;
using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HrmsAttendance.Gateway.Authentication;

/// <summary>
/// JwtBearer validates the signature, issuer, audience, algorithm and lifetime (parameters from
/// <see cref="AccessTokenValidator.CreateParameters"/>); these events add what is ours: the claim rules of
/// <c>libs/Tokens</c>, and the refusal with a stable code, as problem details or a trailers-only gRPC status:
/// GATEWAY_UNAUTHENTICATED (no bearer token), GATEWAY_TOKEN_TOO_LARGE, GATEWAY_TOKEN_EXPIRED, GATEWAY_TOKEN_INVALID.
/// </summary>
public sealed class GatewayJwtBearerEvents : JwtBearerEvents
{
    private const string RefusalItem = "gateway.authentication.refusal";

    /// <summary>
    /// The longest Authorization header read: the issuer's tokens are well under 1 KiB, and 8 KiB is gRPC's default for
    /// all metadata together. Longer ones are refused before they are parsed (GATEWAY_TOKEN_TOO_LARGE) rather than left to
    /// Kestrel's header limit, whose 431 gRPC clients report as UNKNOWN.
    /// </summary>
    public const int MaxAuthorizationBytes = 8 * 1024;

    /// <summary>
    /// One Authorization header with one value of at most <see cref="MaxAuthorizationBytes"/>, or none: two (or a
    /// comma-joined pair) are refused rather than guessed at.
    /// </summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        var authorization = context.Request.Headers.Authorization;
        var refusal = authorization.Count > 1 || authorization.ToString().Contains(',', StringComparison.Ordinal)
            ? new GatewayError(GatewayErrors.Unauthenticated, "send exactly one Authorization header")
            : authorization.ToString().Length > MaxAuthorizationBytes
                ? new GatewayError(GatewayErrors.TokenTooLarge, $"the Authorization header has {authorization.ToString().Length} characters; the gateway reads at most {MaxAuthorizationBytes}")
                : null;
        if (refusal is not null)
        {
            context.HttpContext.Items[RefusalItem] = refusal;
            context.NoResult();
        }
        return Task.CompletedTask;
    }

    /// <summary>The signature and lifetime hold; now the claims must be ours (tenant, subject, known roles, person).</summary>
    public override Task TokenValidated(TokenValidatedContext context)
    {
        if (context.SecurityToken is not JsonWebToken jwt)
        {
            context.Fail(new SecurityTokenValidationException("the token is not a signed JWT"));
            return Task.CompletedTask;
        }
        var outcome = AccessTokenValidator.ReadClaims(jwt);
        if (outcome.Claims is not { } claims)
        {
            context.HttpContext.Items[RefusalItem] = new GatewayError(GatewayErrors.TokenInvalid, outcome.ErrorDetail ?? "the token's claims are not valid");
            context.Fail(outcome.ErrorDetail ?? "invalid claims");
            return Task.CompletedTask;
        }
        var principal = CallerPrincipal.FromClaims(claims);
        context.Principal = principal.ToClaimsPrincipal();
        if (Activity.Current is { } activity)
        {
            activity.SetTag("tenant.id", principal.TenantId.ToString("D"));
            activity.SetTag("enduser.id", principal.Subject);
        }
        return Task.CompletedTask;
    }

    /// <summary>Replaces JwtBearer's bare 401 with the gateway's refusal.</summary>
    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var error = context.HttpContext.Items[RefusalItem] as GatewayError ?? ErrorOf(context);
        await GatewayRefusal.WriteAsync(context.HttpContext, error);
    }

    private static GatewayError ErrorOf(JwtBearerChallengeContext context)
    {
        if (context.AuthenticateFailure is { } failure)
        {
            var outcome = AccessTokenValidator.Refusal(failure);
            var code = outcome.ErrorCode == TokenValidationOutcome.Expired ? GatewayErrors.TokenExpired : GatewayErrors.TokenInvalid;
            return new GatewayError(code, outcome.ErrorDetail ?? "the token is not valid");
        }
        // JwtBearer found no token: no Authorization header, another scheme, or "Bearer" with nothing after it.
        var header = context.Request.Headers.Authorization.ToString();
        return new GatewayError(GatewayErrors.Unauthenticated, string.IsNullOrWhiteSpace(header)
            ? "a bearer token is required: send 'Authorization: Bearer <token>'"
            : "the Authorization header must be 'Bearer <token>'");
    }
}
