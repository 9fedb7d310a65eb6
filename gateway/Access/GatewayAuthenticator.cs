using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Access;

/// <summary>Who is calling, as the gateway's bearer token says: the tenant, the principal, its roles and (employees) its person.</summary>
public sealed record CallerPrincipal(Guid TenantId, string Subject, IReadOnlySet<string> Roles, Guid? PersonId);

/// <summary>
/// Turns <c>Authorization: Bearer &lt;jwt&gt;</c> (for gRPC the same <c>authorization</c> metadata) into a
/// <see cref="CallerPrincipal"/>, or into the refusal: GATEWAY_UNAUTHENTICATED without a bearer token,
/// GATEWAY_TOKEN_EXPIRED / GATEWAY_TOKEN_INVALID when <see cref="AccessTokenValidator"/> rejects it.
/// </summary>
public sealed class GatewayAuthenticator(AccessTokenValidator validator)
{
    private const string BearerScheme = "Bearer";

    public async Task<(CallerPrincipal? Principal, GatewayError? Error)> AuthenticateAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Headers.Authorization;
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values.ToString()))
            return Unauthenticated("a bearer token is required: send 'Authorization: Bearer <token>'");
        if (values.Count > 1)
            return Unauthenticated("send exactly one Authorization header");

        var value = values[0]!.Trim();
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? value : value[..space];
        if (!scheme.Equals(BearerScheme, StringComparison.OrdinalIgnoreCase))
            return Unauthenticated("the Authorization scheme must be Bearer");
        var token = space < 0 ? "" : value[(space + 1)..].Trim();
        if (token.Length == 0)
            return Unauthenticated("the bearer token is empty");

        var outcome = await validator.ValidateAsync(token);
        if (outcome.Claims is not { } claims)
        {
            var code = outcome.ErrorCode == TokenValidationOutcome.Expired ? GatewayErrors.TokenExpired : GatewayErrors.TokenInvalid;
            return (null, new GatewayError(code, outcome.ErrorDetail ?? "the token is not valid"));
        }
        var roles = new HashSet<string>(claims.Roles, StringComparer.Ordinal);
        return (new CallerPrincipal(claims.TenantId, claims.Subject, roles, claims.PersonId), null);
    }

    private static (CallerPrincipal?, GatewayError?) Unauthenticated(string detail) =>
        (null, new GatewayError(GatewayErrors.Unauthenticated, detail));
}
