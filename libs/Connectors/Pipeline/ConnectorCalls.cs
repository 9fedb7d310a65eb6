using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using OpenIddict.Client;
using static OpenIddict.Abstractions.OpenIddictExceptions;

namespace HrmsAttendance.Connectors.Pipeline;

/// <summary>
/// The connector's calls to identity-mapping and punch-ledger carry a token of the tenant they act for, from the identity
/// service: client credentials of the connector's service client (<see cref="IdentityClientSettings"/>), the tenant named
/// by <c>tenant_id</c>; identity answers with an RS256 token (<c>sub</c> = <c>service:&lt;client id&gt;</c>, role
/// <c>integration</c>) that the services validate like any caller's. One token per tenant, reused until shortly before it
/// expires; one token request per tenant at a time. When identity cannot be reached or refuses, the call throws
/// <see cref="ServiceTokenUnavailableException"/> before anything is sent, and the caller's "retry later" path takes over
/// (DingTalk events are answered LATER, a WeCom window is polled again, a replay is retried by the bus or the sweep).
/// </summary>
public sealed partial class ConnectorCalls(OpenIddictClientService identity, ConnectorProvider provider, TimeProvider time, ILogger<ConnectorCalls> logger)
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a token request may take. Short: a platform waits only seconds for its answer (the DingTalk fake 10 s) and
    /// takes a late one as none, so an unreachable identity must turn into LATER well within that.
    /// </summary>
    public static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A token is renewed this long before it expires (or at half its life, if that is sooner).</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(2);

    /// <summary>The scope of a token for the gateway and the services (identity's <c>hrms-api</c>: audience hrms-attendance).</summary>
    public const string ApiScope = "hrms-api";

    /// <summary>The token request parameter that names the tenant (identity's service clients act for the tenant it names).</summary>
    public const string TenantParameter = "tenant_id";

    /// <summary>The lifetime assumed when identity's answer names none (it does: 30 minutes).</summary>
    private static readonly TimeSpan AssumedLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<Guid, TenantToken> _tokens = new();

    /// <summary>Call options for one call on behalf of <paramref name="tenant"/>: its bearer token and a deadline.</summary>
    public async ValueTask<CallOptions> ForAsync(Guid tenant, CancellationToken ct)
    {
        var token = await TokenForAsync(tenant, ct);
        return new(new Metadata { { "authorization", "Bearer " + token } }, time.GetUtcNow().UtcDateTime + CallTimeout, ct);
    }

    private async ValueTask<string> TokenForAsync(Guid tenant, CancellationToken ct)
    {
        var entry = _tokens.GetOrAdd(tenant, _ => new TenantToken());
        if (entry.Current(time.GetUtcNow()) is { } cached) return cached;
        await entry.Gate.WaitAsync(ct);
        try
        {
            // Another call of the same tenant may have got one while this one waited.
            if (entry.Current(time.GetUtcNow()) is { } fresh) return fresh;
            var (token, renewAfter) = await RequestAsync(tenant, ct);
            entry.Set(token, renewAfter);
            return token;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<(string Token, DateTimeOffset RenewAfter)> RequestAsync(Guid tenant, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TokenTimeout);
        try
        {
            var result = await identity.AuthenticateWithClientCredentialsAsync(new()
            {
                Scopes = [ApiScope],
                AdditionalTokenRequestParameters = new() { [TenantParameter] = tenant.ToString("D") },
                CancellationToken = timeout.Token,
            });
            var now = time.GetUtcNow();
            var expires = result.AccessTokenExpirationDate ?? now + AssumedLifetime;
            var life = expires - now;
            var renewAfter = expires - (life / 2 < RenewBefore ? life / 2 : RenewBefore);
            Log.TokenIssued(logger, provider.Name, tenant, expires);
            return (result.AccessToken, renewAfter);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var reason = e switch
            {
                ProtocolException { Error: { Length: > 0 } error } protocol => $"{error}: {protocol.ErrorDescription}",
                OperationCanceledException => $"no answer within {TokenTimeout.TotalSeconds:0} s",
                _ => e.Message,
            };
            Log.TokenUnavailable(logger, provider.Name, tenant, reason);
            throw new ServiceTokenUnavailableException(tenant, reason, e);
        }
    }

    /// <summary>One tenant's token and the gate that lets one request for it out at a time.</summary>
    private sealed class TenantToken
    {
        private volatile Issued? _current;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public string? Current(DateTimeOffset now) => _current is { } current && now < current.RenewAfter ? current.Token : null;

        public void Set(string token, DateTimeOffset renewAfter) => _current = new Issued(token, renewAfter);

        private sealed record Issued(string Token, DateTimeOffset RenewAfter);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "{Provider}: identity issued a service token for tenant {Tenant}, valid until {Expires:O}")]
        public static partial void TokenIssued(ILogger logger, string provider, Guid tenant, DateTimeOffset expires);

        [LoggerMessage(2, LogLevel.Warning, "{Provider}: no service token for tenant {Tenant} from identity ({Reason}); its punches are retried later")]
        public static partial void TokenUnavailable(ILogger logger, string provider, Guid tenant, string reason);
    }
}

/// <summary>The identity service gave no token for the tenant (unreachable, or refused): nothing was sent; try again later.</summary>
public sealed class ServiceTokenUnavailableException(Guid tenant, string reason, Exception inner)
    : Exception($"no service token for tenant {tenant:D} from identity: {reason}", inner)
{
    public Guid Tenant { get; } = tenant;
}
