using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HrmsAttendance.Tokens;

/// <summary>
/// Signs access tokens: JWT, HS256, with <c>iss</c>, <c>aud</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>, <c>jti</c>,
/// <c>tenant_id</c>, <c>sub</c>, <c>roles</c> (a JSON array) and <c>person_id</c> when set.
/// In Development the AppHost's <c>token</c> command uses it; tests use it with their own key.
/// </summary>
public sealed class AccessTokenIssuer(AccessTokenSettings settings, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SigningCredentials _credentials =
        new(new SymmetricSecurityKey(settings.SigningKey), SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>A token valid from now for <paramref name="lifetime"/>; the claims are checked as the validator would.</summary>
    public string Issue(AccessTokenClaims claims, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (lifetime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lifetime), "A token's lifetime must be positive.");
        if (AccessTokenClaimRules.Problem(claims) is { } problem) throw new ArgumentException(problem, nameof(claims));

        // JWT times are whole seconds: issue on a second boundary so nbf/iat never lie ahead of "now".
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds()).UtcDateTime;
        var payload = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("D"),
            [AccessTokenClaimNames.Tenant] = claims.TenantId.ToString("D"),
            [AccessTokenClaimNames.Subject] = claims.Subject,
            [AccessTokenClaimNames.Roles] = claims.Roles.ToArray(),
        };
        if (claims.PersonId is { } person) payload[AccessTokenClaimNames.Person] = person.ToString("D");

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = payload,
            SigningCredentials = _credentials,
        });
    }
}

/// <summary>The rules every token's own claims obey, shared by the issuer (refuses to sign) and the validator (refuses to accept).</summary>
internal static class AccessTokenClaimRules
{
    public static string? Problem(AccessTokenClaims claims)
    {
        if (claims.TenantId == Guid.Empty) return $"{AccessTokenClaimNames.Tenant} must not be the empty UUID";
        if (string.IsNullOrWhiteSpace(claims.Subject)) return $"{AccessTokenClaimNames.Subject} must not be empty";
        if (claims.Subject.Length > AccessTokenClaims.MaxSubjectLength || claims.Subject.Any(char.IsControl))
            return $"{AccessTokenClaimNames.Subject} must be at most {AccessTokenClaims.MaxSubjectLength} characters without control characters";
        if (claims.Roles is null || claims.Roles.Count == 0) return $"{AccessTokenClaimNames.Roles} must name at least one role";
        foreach (var role in claims.Roles)
            if (role is null || !AccessRoles.IsKnown(role))
                return $"{AccessTokenClaimNames.Roles} names an unknown role '{Shorten(role)}' (known: {string.Join(", ", AccessRoles.All)})";
        if (claims.PersonId == Guid.Empty) return $"{AccessTokenClaimNames.Person} must not be the empty UUID";
        return null;
    }

    public static string Shorten(string? value) => value is null ? "null" : value.Length <= 64 ? value : value[..64] + "…";

    /// <summary>A canonical UUID (8-4-4-4-12 hex, either case), not all zeros.</summary>
    public static bool TryParseUuid(string? value, out Guid uuid) =>
        Guid.TryParseExact(value ?? "", "D", out uuid) && uuid != Guid.Empty && value!.Length == 36;

    public static byte[] RandomKey() => RandomNumberGenerator.GetBytes(AccessTokenSettings.MinimumKeyBytes);
}
