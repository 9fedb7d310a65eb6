using System.Collections.Concurrent;
using Grpc.Core;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Connectors.Pipeline;

/// <summary>
/// The connector's calls to identity-mapping and punch-ledger carry a token of the tenant they act for, role
/// <c>integration</c>, subject <c>service:&lt;connector&gt;</c>, minted from the topology's signing key (libs/Tokens,
/// "Service tokens"): the services validate it like any caller's. One token per tenant, reused until a minute before
/// it expires.
/// </summary>
public sealed class ConnectorCalls(AccessTokenSettings settings, ConnectorProvider provider, TimeProvider time)
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly AccessTokenIssuer _issuer = new(settings, time);
    private readonly ConcurrentDictionary<Guid, (string Token, DateTimeOffset RenewAfter)> _tokens = new();

    public string Subject => $"service:{provider.ServiceName}";

    /// <summary>Call options for one call on behalf of <paramref name="tenant"/>: its bearer token and a deadline.</summary>
    public CallOptions For(Guid tenant, CancellationToken ct) =>
        new(new Metadata { { "authorization", "Bearer " + TokenFor(tenant) } }, time.GetUtcNow().UtcDateTime + CallTimeout, ct);

    private string TokenFor(Guid tenant)
    {
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(tenant, out var cached) && now < cached.RenewAfter) return cached.Token;
        var token = _issuer.Issue(new AccessTokenClaims(tenant, Subject, [AccessRoles.Integration]), TokenLifetime);
        _tokens[tenant] = (token, now + TokenLifetime - TimeSpan.FromMinutes(1));
        return token;
    }
}
