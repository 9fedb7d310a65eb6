namespace HrmsAttendance.RateLimiting;

/// <summary>
/// Decides whether a request of a tenant (and, if known, of one of its principals) may proceed. It must pass both
/// the tenant's bucket and the principal's; a refused request takes no token from either.
/// </summary>
public interface ITokenBucketLimiter
{
    /// <param name="tenant">The tenant id.</param>
    /// <param name="principal">The caller within the tenant (user, API client); null checks the tenant bucket only.</param>
    /// <param name="cost">Tokens the request takes (1 for an ordinary request); at most the smaller capacity.</param>
    ValueTask<RateLimitDecision> AcquireAsync(string tenant, string? principal, int cost = 1, CancellationToken cancellationToken = default);
}
