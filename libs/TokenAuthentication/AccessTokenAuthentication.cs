using System.Diagnostics;
using HrmsAttendance.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HrmsAttendance.TokenAuthentication;

/// <summary>Why a request has no usable token: none (or not one bearer token), one too large to read, an expired one, or an invalid one.</summary>
public enum TokenRefusalKind
{
    Missing,
    TooLarge,
    Expired,
    Invalid,
}

/// <summary>A request's token refused: the kind (each caller maps it to its own stable code) and why, for the caller.</summary>
public sealed record TokenRefusal(TokenRefusalKind Kind, string Detail);

/// <summary>
/// JwtBearer (the default scheme) validating this system's access tokens, for the gateway and every service alike: the
/// signature, issuer, audience, algorithm and lifetime by <see cref="AccessTokenValidator.CreateParameters"/>, the claim
/// rules by <see cref="AccessTokenValidator.ReadClaims"/>, all read from <see cref="AccessTokenSettings.ConfigurationSection"/>.
/// Nothing has a default: without a signing key the process does not start (the exception names the setting).
/// </summary>
public static class AccessTokenAuthentication
{
    /// <summary>
    /// The longest Authorization header read: the issuer's tokens are well under 1 KiB, and 8 KiB is gRPC's default for
    /// all metadata together. Longer ones are refused before they are parsed (<see cref="TokenRefusalKind.TooLarge"/>)
    /// rather than left to Kestrel's header limit, whose 431 gRPC clients report as UNKNOWN.
    /// </summary>
    public const int MaxAuthorizationBytes = 8 * 1024;

    /// <param name="refuse">Answers a request whose token is missing or refused (the challenge), in the caller's protocol.</param>
    public static AuthenticationBuilder AddAccessTokenAuthentication(this IHostApplicationBuilder builder, Func<HttpContext, TokenRefusal, Task> refuse)
    {
        ArgumentNullException.ThrowIfNull(refuse);
        var settings = AccessTokenSettings.FromConfiguration(builder.Configuration.GetSection(AccessTokenSettings.ConfigurationSection));
        var oidc = OidcIssuer.FromConfiguration(builder.Configuration.GetSection(OidcIssuer.ConfigurationSection));
        return builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                // Nothing reads the token back from the authentication properties (the gateway forwards the request's
                // own Authorization header); saving it cost every request ~1% of the gateway's CPU (a profile, 2026-12-04).
                options.SaveToken = false;
                options.TokenValidationParameters = AccessTokenValidator.CreateParameters(settings);
                if (oidc is not null)
                {
                    // The identity service's RS256 tokens besides our HS256 ones: its keys from the discovery document
                    // (JwtBearer's configuration manager caches them and fetches them again on an unknown key id).
                    options.MetadataAddress = oidc.MetadataAddress.AbsoluteUri;
                    options.RequireHttpsMetadata = oidc.MetadataAddress.Scheme == Uri.UriSchemeHttps;
                    options.RefreshOnIssuerKeyNotFound = true;
                    options.TokenValidationParameters.ValidIssuers = [settings.Issuer, oidc.Issuer];
                    options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256];
                }
                options.Events = new AccessTokenBearerEvents(refuse, settings.Issuer, oidc);
            });
    }
}

/// <summary>
/// What JwtBearer leaves to us: one Authorization header or none, the claim rules of libs/Tokens (the principal becomes
/// <see cref="AccessTokenPrincipal.ToPrincipal"/> of the checked claims), and the refusal instead of a bare 401.
/// </summary>
internal sealed class AccessTokenBearerEvents(Func<HttpContext, TokenRefusal, Task> refuse, string hmacIssuer, OidcIssuer? oidc) : JwtBearerEvents
{
    private const string RefusalItem = "access-token.refusal";

    /// <summary>
    /// One Authorization header with one value of at most <see cref="AccessTokenAuthentication.MaxAuthorizationBytes"/>,
    /// or none: two (or a comma-joined pair) are refused rather than guessed at, and a longer one before it is parsed.
    /// </summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        var authorization = context.Request.Headers.Authorization;
        var length = authorization.ToString().Length;
        var refusal = authorization.Count > 1 || authorization.ToString().Contains(',', StringComparison.Ordinal)
            ? new TokenRefusal(TokenRefusalKind.Missing, "send exactly one Authorization header")
            : length > AccessTokenAuthentication.MaxAuthorizationBytes
                ? new TokenRefusal(TokenRefusalKind.TooLarge,
                    $"the Authorization header has {length} characters; at most {AccessTokenAuthentication.MaxAuthorizationBytes} are read")
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
        // Each issuer with its own algorithm: a token naming the OpenID Connect issuer but signed with the shared HMAC key
        // (or the other way round) is refused.
        var expected = jwt.Issuer == hmacIssuer ? SecurityAlgorithms.HmacSha256
            : oidc is not null && jwt.Issuer == oidc.Issuer ? SecurityAlgorithms.RsaSha256
            : null;
        if (expected is null || jwt.Alg != expected)
        {
            const string mismatch = "the token's algorithm is not the one its issuer signs with";
            context.HttpContext.Items[RefusalItem] = new TokenRefusal(TokenRefusalKind.Invalid, mismatch);
            context.Fail(mismatch);
            return Task.CompletedTask;
        }
        var outcome = AccessTokenValidator.ReadClaims(jwt);
        if (outcome.Claims is not { } claims)
        {
            var detail = outcome.ErrorDetail ?? "the token's claims are not valid";
            context.HttpContext.Items[RefusalItem] = new TokenRefusal(TokenRefusalKind.Invalid, detail);
            context.Fail(detail);
            return Task.CompletedTask;
        }
        context.Principal = claims.ToPrincipal();
        if (Activity.Current is { } activity)
        {
            activity.SetTag("tenant.id", claims.TenantId.ToString("D"));
            activity.SetTag("enduser.id", claims.Subject);
        }
        return Task.CompletedTask;
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        return refuse(context.HttpContext, context.HttpContext.Items[RefusalItem] as TokenRefusal ?? RefusalOf(context));
    }

    private static TokenRefusal RefusalOf(JwtBearerChallengeContext context)
    {
        if (context.AuthenticateFailure is { } failure)
        {
            var outcome = AccessTokenValidator.Refusal(failure);
            var kind = outcome.ErrorCode == TokenValidationOutcome.Expired ? TokenRefusalKind.Expired : TokenRefusalKind.Invalid;
            return new TokenRefusal(kind, outcome.ErrorDetail ?? "the token is not valid");
        }
        // JwtBearer found no token: no Authorization header, another scheme, or "Bearer" with nothing after it.
        var header = context.Request.Headers.Authorization.ToString();
        return new TokenRefusal(TokenRefusalKind.Missing, string.IsNullOrWhiteSpace(header)
            ? "a bearer token is required: send 'Authorization: Bearer <token>'"
            : "the Authorization header must be 'Bearer <token>'");
    }
}

/// <summary>
/// The OpenID Connect issuer (the <c>identity</c> service) whose RS256 access tokens are accepted besides the HS256 ones:
/// section <c>Authentication:Oidc</c>, <c>Authority</c> = the issuer URL as browsers see it (the tokens' <c>iss</c>),
/// optional <c>MetadataAddress</c> = where to read its discovery document (default: under the authority). Absent →
/// HS256 tokens only.
/// </summary>
public sealed record OidcIssuer(string Issuer, Uri MetadataAddress)
{
    public const string ConfigurationSection = "Authentication:Oidc";
    public const string DiscoveryPath = ".well-known/openid-configuration";

    public static OidcIssuer? FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration section)
    {
        if (section["Authority"] is not { Length: > 0 } authority) return null;
        if (!Uri.TryCreate(authority.Trim(), UriKind.Absolute, out var issuer) || issuer.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"Configuration '{ConfigurationSection}:Authority' must be an absolute http(s) URL, not '{authority}'.");
        // Metadata over plain HTTP only from a loopback address (a local run): elsewhere the keys must come over TLS.
        var metadata = section["MetadataAddress"] is { Length: > 0 } address
            ? new Uri(address.Trim(), UriKind.Absolute)
            : new Uri(issuer, DiscoveryPath);
        if (metadata.Scheme != Uri.UriSchemeHttps && !metadata.IsLoopback)
            throw new InvalidOperationException($"Configuration '{ConfigurationSection}': the discovery document must be read over https unless from a loopback address ('{metadata}').");
        // OpenIddict writes the issuer with a trailing slash (an absolute URI's path is at least "/").
        return new OidcIssuer(issuer.AbsoluteUri, metadata);
    }
}
