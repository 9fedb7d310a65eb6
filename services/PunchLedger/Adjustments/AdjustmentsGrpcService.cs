using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.PunchLedger.Data;
using HrmsAttendance.TokenAuthentication;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.PunchLedger.Adjustments;

/// <summary>
/// <c>attendance.adjustments.v1.Adjustments</c>. The gateway decides which roles may call what; this service decides
/// whose requests a caller reaches, from the token alone: a tenant-admin every person's, an approver those of the
/// persons assigned to it (never its own to decide), anyone else only its own person's.
/// </summary>
public sealed class AdjustmentsGrpcService(AdjustmentStore store, TimeProvider clock) : Contracts.Adjustments.V1.Adjustments.AdjustmentsBase
{
    public const int MaxReasonLength = 500;
    public const int MaxClientRequestIdLength = 200;
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public override async Task<AdjustmentRequest> RequestAdjustment(RequestAdjustmentRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var person = Uuid(request.PersonUuid, "person_uuid");
        if (!IsAdmin(caller) && caller.PersonId != person)
            throw AdjustmentErrors.Refuse(AdjustmentErrors.Forbidden, "you may ask for adjustments of your own person only");
        if (request.PunchTime is null)
            throw AdjustmentErrors.Invalid("punch_time is required");
        if (!WireValues.TryReadTimestamp(request.PunchTime, out var punchTime)
            || punchTime < PunchCommand.EarliestPunch || punchTime > clock.GetUtcNow() + PunchCommand.MaxFutureSkew)
            throw AdjustmentErrors.Invalid("punch_time must be from 2000-01-01 to one day after now");
        // Postgres keeps microseconds: the stored request must equal the asked one (idempotent replays compare them).
        punchTime = new DateTimeOffset(punchTime.UtcTicks - punchTime.UtcTicks % 10, TimeSpan.Zero);
        var punchType = request.PunchType switch
        {
            AdjustmentPunchType.In => "IN",
            AdjustmentPunchType.Out => "OUT",
            _ => throw AdjustmentErrors.Invalid("punch_type must be IN or OUT"),
        };
        var reason = request.Reason.Trim();
        if (reason.Length is 0 or > MaxReasonLength)
            throw AdjustmentErrors.Invalid($"reason must be 1 to {MaxReasonLength} characters");
        if (WireValues.TextProblem(reason.Replace('\n', ' ').Replace('\r', ' ')) is { } problem)
            throw AdjustmentErrors.Invalid($"reason {problem}");
        var clientRequestId = request.ClientRequestId.Length == 0 ? null : request.ClientRequestId;
        if (clientRequestId is not null && (clientRequestId.Length > MaxClientRequestIdLength || WireValues.TextProblem(clientRequestId) is not null))
            throw AdjustmentErrors.Invalid($"client_request_id must be at most {MaxClientRequestIdLength} characters without control characters");

        var (created, _) = await Store(() => store.RequestAsync(caller.TenantId, caller.Subject,
            new NewAdjustment(person, punchTime, punchType, reason, clientRequestId), context.CancellationToken));
        return ToWire(created);
    }

    public override async Task<AdjustmentRequest> GetAdjustment(GetAdjustmentRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var id = Uuid(request.AdjustmentId, "adjustment_id");
        var found = await Store(() => store.GetAsync(caller.TenantId, id, context.CancellationToken));
        if (found is null || !await MayReadAsync(caller, found.PersonUuid, context.CancellationToken))
            throw NotFound(id);
        return ToWire(found);
    }

    public override async Task<ListAdjustmentsResponse> ListAdjustments(ListAdjustmentsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var person = Uuid(request.PersonUuid, "person_uuid");
        var status = request.Status switch
        {
            AdjustmentStatus.Unspecified => null,
            AdjustmentStatus.Requested or AdjustmentStatus.Approved or AdjustmentStatus.Rejected or AdjustmentStatus.Withdrawn =>
                request.Status.ToString().ToUpperInvariant(),
            _ => throw AdjustmentErrors.Invalid("status is not an AdjustmentStatus"),
        };
        var size = PageSize(request.PageSize);
        var after = PageToken(request.PageToken);
        if (!await MayReadAsync(caller, person, context.CancellationToken))
            throw AdjustmentErrors.Refuse(AdjustmentErrors.Forbidden, "you may list your own requests and those of the persons you approve");
        var rows = await Store(() => store.ListForPersonAsync(caller.TenantId, person, status, after, size + 1, context.CancellationToken));
        return Page(rows, size);
    }

    public override async Task<ListAdjustmentsResponse> ListPendingApprovals(ListPendingApprovalsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var size = PageSize(request.PageSize);
        var after = PageToken(request.PageToken);
        Guid? approver = null;
        if (!IsAdmin(caller))
        {
            if (!caller.Roles.Contains(AccessRoles.Approver) || caller.PersonId is not { } own)
                throw AdjustmentErrors.Refuse(AdjustmentErrors.Forbidden, "only approvers (with a person in their token) and tenant-admins have pending approvals");
            approver = own;
        }
        var rows = await Store(() => store.ListPendingAsync(caller.TenantId, approver, caller.PersonId, after, size + 1, context.CancellationToken));
        return Page(rows, size);
    }

    public override Task<AdjustmentRequest> ApproveAdjustment(DecideAdjustmentRequest request, ServerCallContext context) =>
        DecideAsync(request, "APPROVED", commentRequired: false, context);

    public override Task<AdjustmentRequest> RejectAdjustment(DecideAdjustmentRequest request, ServerCallContext context) =>
        DecideAsync(request, "REJECTED", commentRequired: true, context);

    public override async Task<AdjustmentRequest> WithdrawAdjustment(WithdrawAdjustmentRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var id = Uuid(request.AdjustmentId, "adjustment_id");
        var withdrawn = await Store(() => store.DecideAsync(caller.TenantId, caller.Subject, id, "WITHDRAWN", null,
            (found, _) =>
            {
                var mine = found.RequestedBy == caller.Subject || (caller.PersonId is { } own && own == found.PersonUuid);
                if (!mine && !IsAdmin(caller))
                    throw AdjustmentErrors.Refuse(AdjustmentErrors.Forbidden, "only the one who asked (or a tenant-admin) withdraws a request");
                return Task.CompletedTask;
            }, context.CancellationToken));
        return ToWire(withdrawn);
    }

    public override async Task<ApproverAssignment> AssignApprover(ApproverAssignment request, ServerCallContext context)
    {
        var caller = AdminOnly(context);
        var (approver, person) = (Uuid(request.ApproverPersonUuid, "approver_person_uuid"), Uuid(request.PersonUuid, "person_uuid"));
        if (approver == person)
            throw AdjustmentErrors.Invalid("an approver does not approve its own requests: person_uuid must differ from approver_person_uuid");
        var assigned = await Store(() => store.AssignAsync(caller.TenantId, caller.Subject, approver, person, context.CancellationToken));
        return ToWire(assigned);
    }

    public override async Task<UnassignApproverResponse> UnassignApprover(ApproverAssignment request, ServerCallContext context)
    {
        var caller = AdminOnly(context);
        var (approver, person) = (Uuid(request.ApproverPersonUuid, "approver_person_uuid"), Uuid(request.PersonUuid, "person_uuid"));
        var removed = await Store(() => store.UnassignAsync(caller.TenantId, caller.Subject, approver, person, context.CancellationToken));
        return new UnassignApproverResponse { Removed = removed };
    }

    public override async Task<ListApproverAssignmentsResponse> ListApproverAssignments(ListApproverAssignmentsRequest request, ServerCallContext context)
    {
        var caller = AdminOnly(context);
        Guid? approver = request.ApproverPersonUuid.Length == 0 ? null : Uuid(request.ApproverPersonUuid, "approver_person_uuid");
        Guid? person = request.PersonUuid.Length == 0 ? null : Uuid(request.PersonUuid, "person_uuid");
        var rows = await Store(() => store.ListAssignmentsAsync(caller.TenantId, approver, person, context.CancellationToken));
        var response = new ListApproverAssignmentsResponse();
        response.Assignments.AddRange(rows.Select(ToWire));
        return response;
    }

    private async Task<AdjustmentRequest> DecideAsync(DecideAdjustmentRequest request, string decision, bool commentRequired, ServerCallContext context)
    {
        var caller = context.Caller();
        var id = Uuid(request.AdjustmentId, "adjustment_id");
        var comment = request.Comment.Trim();
        if (comment.Length > MaxReasonLength || WireValues.TextProblem(comment.Replace('\n', ' ').Replace('\r', ' ')) is not null)
            throw AdjustmentErrors.Invalid($"comment must be at most {MaxReasonLength} characters without control characters but line breaks");
        if (commentRequired && comment.Length == 0)
            throw AdjustmentErrors.Invalid("comment is required to reject a request (the requester sees why)");
        var decided = await Store(() => store.DecideAsync(caller.TenantId, caller.Subject, id, decision, comment.Length == 0 ? null : comment,
            async (found, ct) =>
            {
                if (caller.PersonId is { } own && own == found.PersonUuid)
                    throw AdjustmentErrors.Refuse(AdjustmentErrors.Forbidden, "nobody decides their own request");
                if (IsAdmin(caller)) return;
                if (!caller.Roles.Contains(AccessRoles.Approver) || caller.PersonId is not { } approver
                    || !await store.IsApproverOfAsync(caller.TenantId, approver, found.PersonUuid, ct))
                    throw AdjustmentErrors.Refuse(AdjustmentErrors.Forbidden, "you are not an approver of this request's person");
            }, context.CancellationToken));
        return ToWire(decided);
    }

    private async Task<bool> MayReadAsync(AccessTokenClaims caller, Guid person, CancellationToken ct) =>
        IsAdmin(caller) || caller.PersonId == person
        || (caller.Roles.Contains(AccessRoles.Approver) && caller.PersonId is { } approver
            && await Store(() => store.IsApproverOfAsync(caller.TenantId, approver, person, ct)));

    private static bool IsAdmin(AccessTokenClaims caller) => caller.Roles.Contains(AccessRoles.TenantAdmin);

    private static AccessTokenClaims AdminOnly(ServerCallContext context)
    {
        var caller = context.Caller();
        return IsAdmin(caller) ? caller : throw AdjustmentErrors.Refuse(AdjustmentErrors.Forbidden, "only tenant-admins assign approvers");
    }

    private static AdjustmentException NotFound(Guid id) =>
        AdjustmentErrors.Refuse(AdjustmentErrors.NotFound, $"no adjustment request {id} that you may see");

    private static Guid Uuid(string value, string field) =>
        WireValues.TryParseCanonicalUuid(value, out var uuid) && uuid != Guid.Empty
            ? uuid
            : throw AdjustmentErrors.Invalid($"{field} must be a canonical UUID (8-4-4-4-12 hex digits), not the nil UUID");

    private static int PageSize(int size) => size switch
    {
        0 => DefaultPageSize,
        >= 1 and <= MaxPageSize => size,
        _ => throw AdjustmentErrors.Invalid($"page_size must be from 1 to {MaxPageSize} (0: {DefaultPageSize})"),
    };

    /// <summary>The keyset cursor "ticks.uuid" of the last row of the previous page.</summary>
    private static (DateTimeOffset, Guid)? PageToken(string token)
    {
        if (token.Length == 0) return null;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
            && WireValues.TryParseCanonicalUuid(token[(dot + 1)..], out var id))
            return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        throw AdjustmentErrors.Invalid("page_token is not one this service gave");
    }

    private static ListAdjustmentsResponse Page(List<AdjustmentRecord> rows, int size)
    {
        var response = new ListAdjustmentsResponse();
        response.Adjustments.AddRange(rows.Take(size).Select(ToWire));
        if (rows.Count > size)
        {
            var last = rows[size - 1];
            response.NextPageToken = $"{last.RequestedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}.{last.AdjustmentId:D}";
        }
        return response;
    }

    private static async Task<T> Store<T>(Func<Task<T>> call)
    {
        try { return await call(); }
        catch (Exception e) when (e is not AdjustmentException and not OperationCanceledException)
        {
            throw AdjustmentErrors.FromDatabase(e);
        }
    }

    private static AdjustmentRequest ToWire(AdjustmentRecord r)
    {
        var wire = new AdjustmentRequest
        {
            AdjustmentId = r.AdjustmentId.ToString(),
            PersonUuid = r.PersonUuid.ToString(),
            PunchTime = Timestamp.FromDateTimeOffset(r.PunchTime),
            PunchType = r.PunchType == "IN" ? AdjustmentPunchType.In : AdjustmentPunchType.Out,
            Reason = r.Reason,
            RequestedBy = r.RequestedBy,
            RequestedAt = Timestamp.FromDateTimeOffset(r.RequestedAt),
            Status = r.Status switch
            {
                "REQUESTED" => AdjustmentStatus.Requested,
                "APPROVED" => AdjustmentStatus.Approved,
                "REJECTED" => AdjustmentStatus.Rejected,
                _ => AdjustmentStatus.Withdrawn,
            },
            DecidedBy = r.DecidedBy ?? "",
            DecisionComment = r.DecisionComment ?? "",
            CorrectionEventId = r.CorrectionEventUuid?.ToString() ?? "",
        };
        if (r.DecidedAt is { } decidedAt) wire.DecidedAt = Timestamp.FromDateTimeOffset(decidedAt);
        wire.AffectedWorkDates.AddRange(WorkCalendar.AffectedWorkDates(r.PunchTime).Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        return wire;
    }

    private static ApproverAssignment ToWire(ApproverAssignmentRecord r) => new()
    {
        ApproverPersonUuid = r.ApproverPersonUuid.ToString(),
        PersonUuid = r.PersonUuid.ToString(),
        AssignedBy = r.AssignedBy,
        AssignedAt = Timestamp.FromDateTimeOffset(r.AssignedAt),
    };
}
