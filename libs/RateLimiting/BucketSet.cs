using System.Text;

namespace HrmsAttendance.RateLimiting;

/// <summary>The buckets one request must pass, in order: the tenant's, then the principal's (if any).</summary>
internal readonly record struct BucketSet(string TenantKey, TokenBucketLimit TenantLimit, string? PrincipalKey, TokenBucketLimit PrincipalLimit)
{
    public int Count => PrincipalKey is null ? 1 : 2;

    public static BucketSet For(RateLimiterOptions options, string tenant, string? principal, int cost)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        var policy = options.GetPolicy(tenant);
        var smallest = principal is null ? policy.PerTenant.Capacity : Math.Min(policy.PerTenant.Capacity, policy.PerPrincipal.Capacity);
        if (cost < 1 || cost > smallest)
        {
            throw new ArgumentOutOfRangeException(nameof(cost), cost,
                $"The cost must be between 1 and the smallest capacity ({smallest}) of tenant '{tenant}''s buckets.");
        }
        var tenantKey = TenantKeyFor(options.KeyPrefix, tenant);
        return new BucketSet(tenantKey, policy.PerTenant, principal is null ? null : tenantKey + ":" + principal, policy.PerPrincipal);
    }

    /// <summary>
    /// <c>{prefix}{tenant}</c> with literal braces: a Redis Cluster hash tag, so a tenant's keys share one slot (the
    /// script touches both in one call). '{', '}' and '%' in the tenant id are percent-escaped, so the tenant part
    /// always ends at the first '}' and no tenant/principal pair can produce another pair's key.
    /// </summary>
    public static string TenantKeyFor(string prefix, string tenant)
    {
        var key = new StringBuilder(prefix.Length + tenant.Length + 2).Append(prefix).Append('{');
        foreach (var c in tenant)
        {
            _ = c switch
            {
                '%' => key.Append("%25"),
                '{' => key.Append("%7B"),
                '}' => key.Append("%7D"),
                _ => key.Append(c),
            };
        }
        return key.Append('}').ToString();
    }

    public static RateLimitScope? ScopeOf(int index) => index switch
    {
        1 => RateLimitScope.Tenant,
        2 => RateLimitScope.Principal,
        _ => null,
    };
}
