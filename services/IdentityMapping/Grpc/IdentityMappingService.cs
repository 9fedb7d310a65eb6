using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.IdentityMapping.Data;
using HrmsAttendance.IdentityMapping.Model;
using HrmsAttendance.TokenAuthentication;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.IdentityMapping.Grpc;

/// <summary>
/// <c>attendance.identity.v1.IdentityMapping</c>: takes the caller's tenant from its token, validates the wire request
/// (<see cref="Inputs"/>), and hands it to the stores, whose database doors decide conflicts. Every refusal
/// leaves as a gRPC status whose message starts with a stable code (<see cref="IdentityErrors"/>).
/// </summary>
public sealed class IdentityMappingService(PersonStore persons, IdentityLinkStore links, ILogger<IdentityMappingService> logger)
    : Contracts.Identity.V1.IdentityMapping.IdentityMappingBase
{
    public static readonly ActivitySource ActivitySource = new("HrmsAttendance.IdentityMapping");

    public override Task<Person> CreatePerson(CreatePersonRequest request, ServerCallContext context) =>
        Handle(context, async caller =>
        {
            var number = Inputs.EmployeeNumber(request.EmployeeNumber);
            var name = Inputs.DisplayName(request.DisplayName);
            return ToWire(await persons.CreateAsync(caller.TenantId, caller.Subject, number, name, context.CancellationToken));
        });

    public override Task<Person> UpdatePerson(UpdatePersonRequest request, ServerCallContext context) =>
        Handle(context, async caller =>
        {
            var person = Inputs.PersonUuid(request.PersonUuid);
            var name = Inputs.OptionalDisplayName(request.DisplayName);
            bool? active = request.HasActive ? request.Active : null;
            return ToWire(await persons.UpdateAsync(caller.TenantId, caller.Subject, person, name, active, context.CancellationToken));
        });

    public override Task<ListPersonsResponse> ListPersons(ListPersonsRequest request, ServerCallContext context) =>
        Handle(context, async caller =>
        {
            var search = Inputs.Search(request.Search);
            var pageSize = Inputs.PageSize(request.PageSize);
            var after = PageToken.ParsePersons(request.PageToken);

            // One row more than the page tells whether another page follows.
            var rows = await persons.ListAsync(caller.TenantId, search, after, pageSize + 1, context.CancellationToken);
            var response = new ListPersonsResponse();
            response.Persons.AddRange(rows.Take(pageSize).Select(ToWire));
            if (rows.Count > pageSize)
                response.NextPageToken = PageToken.ForPersons(rows[pageSize - 1].EmployeeNumber);
            return response;
        });

    public override Task<IdentityLink> LinkIdentity(LinkIdentityRequest request, ServerCallContext context) =>
        Handle(context, async caller =>
        {
            var provider = Inputs.Provider(request.Provider);
            var externalUserId = Inputs.ExternalUserId(request.ExternalUserId);
            var unionId = Inputs.UnionId(request.UnionId);
            var person = Inputs.PersonUuid(request.PersonUuid);

            using var activity = ActivitySource.StartActivity("identity.link");
            activity?.SetTag("attendance.tenant_id", caller.TenantId);
            activity?.SetTag("attendance.identity_provider", provider);
            var link = await links.LinkAsync(caller.TenantId, provider, externalUserId, unionId, person, caller.Subject,
                context.CancellationToken);
            logger.LogInformation("Linked {Provider} user id to person {PersonUuid} in tenant {TenantId}",
                provider, person, caller.TenantId);
            return ToWire(link);
        });

    public override Task<IdentityLink> UnlinkIdentity(UnlinkIdentityRequest request, ServerCallContext context) =>
        Handle(context, async caller =>
        {
            var provider = Inputs.Provider(request.Provider);
            var externalUserId = Inputs.ExternalUserId(request.ExternalUserId);
            var link = await links.UnlinkAsync(caller.TenantId, provider, externalUserId, caller.Subject, context.CancellationToken);
            logger.LogInformation("Unlinked {Provider} user id from person {PersonUuid} in tenant {TenantId}",
                provider, link.PersonUuid, caller.TenantId);
            return ToWire(link);
        });

    public override Task<ResolveIdentitiesResponse> ResolveIdentities(ResolveIdentitiesRequest request, ServerCallContext context) =>
        Handle(context, async caller =>
        {
            var provider = Inputs.Provider(request.Provider);
            var ids = request.ExternalUserIds;
            if (ids.Count == 0)
                throw IdentityErrors.Invalid("external_user_ids must not be empty");
            if (ids.Count > Inputs.MaxResolveBatch)
                throw IdentityErrors.Invalid($"external_user_ids has {ids.Count} ids; at most {Inputs.MaxResolveBatch} per call");
            for (var i = 0; i < ids.Count; i++)
                Inputs.ExternalUserId(ids[i], $"external_user_ids[{i}]");

            using var activity = ActivitySource.StartActivity("identity.resolve");
            activity?.SetTag("attendance.tenant_id", caller.TenantId);
            activity?.SetTag("attendance.identity_provider", provider);
            activity?.SetTag("attendance.batch_size", ids.Count);

            var resolved = await links.ResolveAsync(caller.TenantId, provider, ids, request.RecordUnmapped, context.CancellationToken);
            var response = new ResolveIdentitiesResponse();
            response.Results.AddRange(resolved.Select(r => new ResolvedIdentity
            {
                ExternalUserId = r.ExternalUserId,
                PersonUuid = r.PersonUuid?.ToString() ?? "",
            }));
            activity?.SetTag("attendance.unresolved", resolved.Count(r => r.PersonUuid is null));
            return response;
        });

    public override Task<ListUnmappedResponse> ListUnmapped(ListUnmappedRequest request, ServerCallContext context) =>
        Handle(context, async caller =>
        {
            var provider = Inputs.ProviderFilter(request.Provider);
            var pageSize = Inputs.PageSize(request.PageSize);
            var after = PageToken.ParseUnmapped(request.PageToken);

            var rows = await links.ListUnmappedAsync(caller.TenantId, provider, after, pageSize + 1, context.CancellationToken);
            var response = new ListUnmappedResponse();
            response.Identities.AddRange(rows.Take(pageSize).Select(ToWire));
            if (rows.Count > pageSize)
            {
                var last = rows[pageSize - 1];
                response.NextPageToken = PageToken.ForUnmapped(new UnmappedPosition(last.LastSeenAt, last.Provider, last.ExternalUserId));
            }
            return response;
        });

    /// <summary>
    /// Runs the handler for the caller its token names (authentication refused a call without one before any work). A
    /// refusal (<see cref="IdentityException"/>) becomes its gRPC status in StableErrorInterceptor.
    /// </summary>
    private static Task<T> Handle<T>(ServerCallContext context, Func<AccessTokenClaims, Task<T>> handler) =>
        handler(context.Caller());

    private static Person ToWire(PersonRecord p) => new()
    {
        PersonUuid = p.PersonUuid.ToString(),
        EmployeeNumber = p.EmployeeNumber,
        DisplayName = p.DisplayName,
        Active = p.Active,
        CreatedAt = Timestamp.FromDateTimeOffset(p.CreatedAt),
        UpdatedAt = Timestamp.FromDateTimeOffset(p.UpdatedAt),
    };

    private static IdentityLink ToWire(LinkRecord l) => new()
    {
        Provider = Inputs.ProviderToWire(l.Provider),
        ExternalUserId = l.ExternalUserId,
        UnionId = l.UnionId ?? "",
        PersonUuid = l.PersonUuid.ToString(),
        LinkedAt = Timestamp.FromDateTimeOffset(l.LinkedAt),
        LinkedBy = l.LinkedBy ?? "",
        UnlinkedAt = l.UnlinkedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        UnlinkedBy = l.UnlinkedBy ?? "",
    };

    /// <remarks>
    /// parked_punch_count: the connectors' parked punches do not exist yet, so this reports how many times
    /// the id was asked about without a link (every occurrence in a ResolveIdentities call with
    /// record_unmapped counts), which is one per punch when a connector resolves each punch it parks.
    /// </remarks>
    private static UnmappedIdentity ToWire(UnmappedRecord u) => new()
    {
        Provider = Inputs.ProviderToWire(u.Provider),
        ExternalUserId = u.ExternalUserId,
        FirstSeenAt = Timestamp.FromDateTimeOffset(u.FirstSeenAt),
        LastSeenAt = Timestamp.FromDateTimeOffset(u.LastSeenAt),
        ParkedPunchCount = (int)Math.Min(u.SeenCount, int.MaxValue),
    };
}
