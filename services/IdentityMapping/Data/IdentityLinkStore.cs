using HrmsAttendance.IdentityMapping.Model;
using Npgsql;

namespace HrmsAttendance.IdentityMapping.Data;

/// <summary>
/// Links from platform user ids to persons, resolution, and the unmapped queue. Writes go through the doors
/// <c>person.link_identity</c>, <c>person.unlink_identity</c> and <c>person.resolve_identities</c> (which
/// also records unmapped ids); the queue is read with a plain SELECT under RLS.
/// </summary>
public sealed class IdentityLinkStore(NpgsqlDataSource dataSource)
{
    private const string LinkColumns =
        "provider, external_user_id, union_id, person_uuid, linked_at, linked_by, unlinked_at, unlinked_by";

    public Task<LinkRecord> LinkAsync(Guid tenantId, string provider, string externalUserId, string? unionId, Guid personUuid,
        string? linkedBy, CancellationToken ct) =>
        TenantQuery.SingleAsync(dataSource, tenantId,
            $"SELECT {LinkColumns} FROM person.link_identity($1, $2, $3::text, $4, $5::text)",
            ReadLink, ct, provider, externalUserId, unionId, personUuid, linkedBy);

    public Task<LinkRecord> UnlinkAsync(Guid tenantId, string provider, string externalUserId, string? unlinkedBy, CancellationToken ct) =>
        TenantQuery.SingleAsync(dataSource, tenantId,
            $"SELECT {LinkColumns} FROM person.unlink_identity($1, $2, $3::text)",
            ReadLink, ct, provider, externalUserId, unlinkedBy);

    /// <summary>
    /// One result per id, in request order: exact match on active links, nothing else. With
    /// <paramref name="recordUnmapped"/> the ids without a link are queued by the same statement.
    /// </summary>
    public Task<List<ResolvedIdentityRecord>> ResolveAsync(Guid tenantId, string provider, IReadOnlyList<string> externalUserIds,
        bool recordUnmapped, CancellationToken ct) =>
        TenantQuery.ListAsync(dataSource, tenantId,
            "SELECT external_user_id, person_uuid FROM person.resolve_identities($1, $2, $3) ORDER BY ordinal",
            r => new ResolvedIdentityRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetGuid(1)),
            ct, provider, externalUserIds.ToArray(), recordUnmapped);

    /// <summary>
    /// Up to <paramref name="limit"/> unmapped ids, most recently seen first, after <paramref name="after"/>.
    /// An id linked since it was queued is left out (a link committed while a resolve was recording it can
    /// leave such a row behind). An id seen again while paging moves to the front and may be skipped by
    /// the pages still to come; the next listing shows it.
    /// </summary>
    public Task<List<UnmappedRecord>> ListUnmappedAsync(Guid tenantId, string? provider, UnmappedPosition? after, int limit,
        CancellationToken ct) =>
        TenantQuery.ListAsync(dataSource, tenantId,
            """
            SELECT u.provider, u.external_user_id, u.first_seen_at, u.last_seen_at, u.seen_count
            FROM person.unmapped_identities u
            WHERE u.tenant_id = $1
              AND ($2::text IS NULL OR u.provider = $2::text)
              AND ($3::timestamptz IS NULL
                   OR u.last_seen_at < $3::timestamptz
                   OR (u.last_seen_at = $3::timestamptz AND (u.provider, u.external_user_id) > ($4::text, $5::text)))
              AND NOT EXISTS (
                SELECT 1 FROM person.external_identity_links l
                WHERE l.tenant_id = u.tenant_id AND l.provider = u.provider
                  AND l.external_user_id = u.external_user_id AND l.unlinked_at IS NULL)
            ORDER BY u.last_seen_at DESC, u.provider, u.external_user_id
            LIMIT $6
            """,
            r => new UnmappedRecord(r.GetString(0), r.GetString(1), r.Timestamp(2), r.Timestamp(3), r.GetInt64(4)),
            ct, tenantId, provider, after?.LastSeenAt, after?.Provider, after?.ExternalUserId, limit);

    /// <summary>Up to <paramref name="limit"/> distinct ids of the provider's links, active or ended, after <paramref name="after"/> in byte order.</summary>
    public Task<List<string>> ListLinkedIdsAsync(Guid tenantId, string provider, string? after, int limit, CancellationToken ct) =>
        TenantQuery.ListAsync(dataSource, tenantId,
            """
            SELECT DISTINCT l.external_user_id
            FROM person.external_identity_links l
            WHERE l.tenant_id = $1 AND l.provider = $2 AND ($3::text IS NULL OR l.external_user_id > $3::text)
            ORDER BY l.external_user_id
            LIMIT $4
            """,
            r => r.GetString(0), ct, tenantId, provider, after, limit);

    private static LinkRecord ReadLink(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.NullableString(2), r.GetGuid(3), r.Timestamp(4), r.NullableString(5),
        r.IsDBNull(6) ? null : r.Timestamp(6), r.NullableString(7));
}
