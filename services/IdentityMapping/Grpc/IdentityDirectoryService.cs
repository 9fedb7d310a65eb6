using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.IdentityMapping.Data;
using HrmsAttendance.IdentityMapping.Model;
using HrmsAttendance.TokenAuthentication;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.IdentityMapping.Grpc;

/// <summary>
/// <c>attendance.identity.v1.IdentityDirectory</c>: the user ids a tenant linked, for the connectors (role
/// <c>integration</c>) that poll a platform per user. Not behind the gateway: its catalog has no entry for it.
/// </summary>
public sealed class IdentityDirectoryService(IdentityLinkStore links) : IdentityDirectory.IdentityDirectoryBase
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public override async Task<ListLinkedUserIdsResponse> ListLinkedUserIds(ListLinkedUserIdsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        if (!caller.Roles.Contains(AccessRoles.Integration, StringComparer.Ordinal))
            throw new IdentityException(IdentityErrors.Forbidden, "the linked-id directory is for the connectors (role integration)");
        var provider = Inputs.Provider(request.Provider);
        var pageSize = request.PageSize switch
        {
            0 => DefaultPageSize,
            >= 1 and <= MaxPageSize => request.PageSize,
            _ => throw IdentityErrors.Invalid($"page_size must be 0 (default {DefaultPageSize}) to {MaxPageSize}"),
        };
        var after = PageToken.ParseLinkedIds(request.PageToken);

        var rows = await links.ListLinkedIdsAsync(caller.TenantId, provider, after, pageSize + 1, context.CancellationToken);
        var response = new ListLinkedUserIdsResponse();
        response.ExternalUserIds.AddRange(rows.Take(pageSize));
        if (rows.Count > pageSize) response.NextPageToken = PageToken.ForLinkedIds(rows[pageSize - 1]);
        return response;
    }
}
