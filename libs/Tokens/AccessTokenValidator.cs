using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HrmsAttendance.Tokens;

/// <summary>The result of validating a token: its claims, or a stable code (GATEWAY_TOKEN_EXPIRED / GATEWAY_TOKEN_INVALID) and why.</summary>
public sealed record TokenValidationOutcome(AccessTokenClaims? Claims, string? ErrorCode, string? ErrorDetail)
{
    public bool IsValid => Claims is not null;

    /// <summary>The token's lifetime is over or has not begun (equal to the gateway's code).</summary>
    public const string Expired = "GATEWAY_TOKEN_EXPIRED";
    /// <summary>Anything else: signature, issuer, audience, algorithm, format, claims (equal to the gateway's code).</summary>
    public const string Invalid = "GATEWAY_TOKEN_INVALID";

    public static TokenValidationOutcome Valid(AccessTokenClaims claims) => new(claims, null, null);
    internal static TokenValidationOutcome Refused(string code, string detail) => new(null, code, detail);
}

/// <summary>
/// Validates access tokens: HS256 only, signed with the configured key, the configured issuer and audience, a lifetime
/// that includes "now" (± <see cref="AccessTokenSettings.ClockSkew"/>, read from the <see cref="TimeProvider"/>), and
/// well-formed claims (canonical non-empty <c>tenant_id</c>, non-empty <c>sub</c>, at least one known role,
/// <c>person_id</c> a canonical UUID when present).
/// </summary>
public sealed class AccessTokenValidator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;

    public AccessTokenValidator(AccessTokenSettings settings, TimeProvider? time = null)
    {
        _parameters = CreateParameters(settings, time);
    }

    /// <summary>
    /// The validation rules as <see cref="TokenValidationParameters"/> (for ASP.NET Core's JwtBearer in the gateway):
    /// HS256 with the settings' key, issuer, audience, and a lifetime checked against <paramref name="time"/>.
    /// The claim rules are applied afterwards by <see cref="ReadClaims"/>.
    /// </summary>
    public static TokenValidationParameters CreateParameters(AccessTokenSettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = time ?? TimeProvider.System;
        return new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidateIssuer = true,
            ValidAudience = settings.Audience,
            ValidateAudience = true,
            IssuerSigningKey = new SymmetricSecurityKey(settings.SigningKey),
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = settings.ClockSkew,
            LifetimeValidator = (notBefore, expires, token, parameters) => ValidateLifetime(clock, notBefore, expires, parameters),
            ValidateTokenReplay = false,
            NameClaimType = AccessTokenClaimNames.Subject,
            RoleClaimType = AccessTokenClaimNames.Roles,
        };
    }

    public async Task<TokenValidationOutcome> ValidateAsync(string token)
    {
        if (string.IsNullOrWhiteSpace(token))
            return TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, "the token is empty");

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, _parameters);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or JsonException)
        {
            return Refusal(e);
        }
        if (!result.IsValid)
            return Refusal(result.Exception);
        if (result.SecurityToken is not JsonWebToken jwt)
            return TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, "the token is not a signed JWT");
        return ReadClaims(jwt);
    }

    /// <summary>Lifetime against the injected clock (so tests can move time); the codes come from the exception types.</summary>
    private static bool ValidateLifetime(TimeProvider time, DateTime? notBefore, DateTime? expires, TokenValidationParameters parameters)
    {
        if (expires is null)
            throw new SecurityTokenNoExpirationException("the token has no exp");
        var now = time.GetUtcNow().UtcDateTime;
        if (notBefore is { } nbf && nbf > expires)
            throw new SecurityTokenInvalidLifetimeException("the token's nbf is after its exp");
        if (notBefore is { } start && now + parameters.ClockSkew < start.ToUniversalTime())
            throw new SecurityTokenNotYetValidException($"the token is not valid before {start.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}") { NotBefore = start };
        if (now - parameters.ClockSkew >= expires.Value.ToUniversalTime())
            throw new SecurityTokenExpiredException($"the token expired at {expires.Value.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}") { Expires = expires.Value };
        return true;
    }

    /// <summary>The stable code and reason for a validation failure (e.g. the exception JwtBearer reports).</summary>
    public static TokenValidationOutcome Refusal(Exception? e) => e switch
    {
        SecurityTokenExpiredException or SecurityTokenNotYetValidException =>
            TokenValidationOutcome.Refused(TokenValidationOutcome.Expired, e.Message),
        SecurityTokenNoExpirationException =>
            TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, "the token has no exp"),
        SecurityTokenInvalidLifetimeException =>
            TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, "the token's lifetime is inconsistent"),
        SecurityTokenInvalidAlgorithmException =>
            TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, $"the token's algorithm is not accepted (only {SecurityAlgorithms.HmacSha256})"),
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, "the token's signature does not verify (a token signed by one of this system's issuers is required)"),
        SecurityTokenInvalidIssuerException =>
            TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, "the token's issuer is not accepted"),
        SecurityTokenInvalidAudienceException =>
            TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, "the token's audience is not accepted"),
        SecurityTokenMalformedException or ArgumentException or JsonException =>
            TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, "the token is not a well-formed JWT"),
        _ => TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, $"the token is not valid ({e?.GetType().Name ?? "unknown reason"})"),
    };

    /// <summary>The claims of a token whose signature and lifetime have been validated, checked against the claim rules.</summary>
    public static TokenValidationOutcome ReadClaims(JsonWebToken jwt)
    {
        static TokenValidationOutcome Bad(string detail) => TokenValidationOutcome.Refused(TokenValidationOutcome.Invalid, detail);

        if (!jwt.TryGetPayloadValue<string>(AccessTokenClaimNames.Tenant, out var tenantText) ||
            !AccessTokenClaimRules.TryParseUuid(tenantText, out var tenant))
            return Bad($"the token's {AccessTokenClaimNames.Tenant} must be a canonical, non-empty UUID");

        if (!jwt.TryGetPayloadValue<string>(AccessTokenClaimNames.Subject, out var subject) || string.IsNullOrWhiteSpace(subject))
            return Bad($"the token has no {AccessTokenClaimNames.Subject}");

        if (ReadRoles(jwt) is not { } roles)
            return Bad($"the token's {AccessTokenClaimNames.Roles} must be a JSON array of role names");

        Guid? person = null;
        if (jwt.TryGetPayloadValue<object>(AccessTokenClaimNames.Person, out var personValue) && personValue is not null)
        {
            if (personValue is not string personText || !AccessTokenClaimRules.TryParseUuid(personText, out var personId))
                return Bad($"the token's {AccessTokenClaimNames.Person} must be a canonical, non-empty UUID");
            person = personId;
        }

        var claims = new AccessTokenClaims(tenant, subject, roles, person);
        return AccessTokenClaimRules.Problem(claims) is { } problem
            ? Bad("the token's " + problem)
            : TokenValidationOutcome.Valid(claims);
    }

    /// <summary>The roles array, or null when absent or not an array of strings (a bare string is not accepted).</summary>
    private static IReadOnlyList<string>? ReadRoles(JsonWebToken jwt)
    {
        if (!jwt.TryGetPayloadValue<object>(AccessTokenClaimNames.Roles, out var value))
            return null;
        var roles = new List<string>();
        switch (value)
        {
            case JsonElement { ValueKind: JsonValueKind.Array } array:
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String) return null;
                    roles.Add(item.GetString()!);
                }
                return roles;
            case string or null:
                return null;
            case System.Collections.IEnumerable items:
                foreach (var item in items)
                {
                    if (item is not string role) return null;
                    roles.Add(role);
                }
                return roles;
            default:
                return null;
        }
    }
}
