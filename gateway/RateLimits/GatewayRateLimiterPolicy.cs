using System.Threading.RateLimiting;
using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace HrmsAttendance.Gateway.RateLimits;

/// <summary>
/// ASP.NET Core rate limiting policy of every gateway route: partitioned per (tenant, principal); each partition's
/// <see cref="RateLimiter"/> asks the shared <see cref="ResilientRateLimiter"/> (Redis token buckets, per-instance
/// buckets while Redis is down), which checks the tenant's bucket and the principal's. A refusal is 429 + Retry-After /
/// RESOURCE_EXHAUSTED GATEWAY_RATE_LIMITED.
/// </summary>
public sealed class GatewayRateLimiterPolicy(ResilientRateLimiter limiter) : IRateLimiterPolicy<(string Tenant, string Principal)>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = static async (context, _) =>
    {
        var lease = context.Lease;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var scope = lease.TryGetMetadata(TokenBucketLease.Scope, out var limitedBy) ? limitedBy : RateLimitScope.Principal;
        await GatewayRefusal.WriteAsync(context.HttpContext, new GatewayError(GatewayErrors.RateLimited,
                $"the {(scope == RateLimitScope.Tenant ? "tenant's" : "caller's")} request rate limit is exhausted; retry after {Math.Ceiling(retryAfter.TotalSeconds):0} s"),
            retryAfter);
    };

    public RateLimitPartition<(string Tenant, string Principal)> GetPartition(HttpContext httpContext)
    {
        // Every route requires an authenticated caller, so the authorization middleware has refused anyone else already.
        var caller = CallerPrincipal.Of(httpContext);
        var key = (caller?.TenantId.ToString("D") ?? "", caller?.Subject ?? "");
        return RateLimitPartition.Get<(string Tenant, string Principal)>(key, partition => new TokenBucketPartitionLimiter(limiter, partition.Tenant, partition.Principal));
    }
}

/// <summary>One (tenant, principal)'s view of the shared buckets. Decisions are asynchronous (a Redis round trip).</summary>
internal sealed class TokenBucketPartitionLimiter(ITokenBucketLimiter buckets, string tenant, string principal) : RateLimiter
{
    private long _lastUsed = Environment.TickCount64;

    public override TimeSpan? IdleDuration => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    // The middleware tries synchronously first; the buckets answer only asynchronously, so this "not yet" sends it to AcquireAsync.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => TokenBucketLease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastUsed, Environment.TickCount64);
        var decision = await buckets.AcquireAsync(tenant, principal, Math.Max(1, permitCount), cancellationToken);
        return decision.Allowed ? TokenBucketLease.Allowed : new TokenBucketLease(false, decision.RetryAfter, decision.LimitedBy);
    }
}

internal sealed class TokenBucketLease(bool acquired, TimeSpan? retryAfter = null, RateLimitScope? scope = null) : RateLimitLease
{
    public static readonly MetadataName<RateLimitScope> Scope = new("gateway.rate-limit-scope");
    public static readonly TokenBucketLease Allowed = new(true);
    public static readonly TokenBucketLease Undecided = new(false);

    public override bool IsAcquired => acquired;

    public override IEnumerable<string> MetadataNames
    {
        get
        {
            if (retryAfter is not null) yield return MetadataName.RetryAfter.Name;
            if (scope is not null) yield return Scope.Name;
        }
    }

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter
            : metadataName == Scope.Name ? scope
            : null;
        return metadata is not null;
    }
}
