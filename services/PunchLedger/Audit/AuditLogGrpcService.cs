using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Audit.V1;
using HrmsAttendance.PunchLedger.Adjustments;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.PunchLedger.Audit;

/// <summary><c>attendance.audit.v1.AuditLog</c>: the tenant's audit entries (tenant-admins, decided at the gateway).</summary>
public sealed class AuditLogGrpcService(AuditLogStore store) : AuditLog.AuditLogBase
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;
    public const int MaxFilterLength = 200;

    public override async Task<ListAuditEntriesResponse> ListAuditEntries(ListAuditEntriesRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var size = request.PageSize switch
        {
            0 => DefaultPageSize,
            >= 1 and <= MaxPageSize => request.PageSize,
            _ => throw Invalid($"page_size must be from 1 to {MaxPageSize} (0: {DefaultPageSize})"),
        };
        long? before = request.PageToken.Length == 0 ? null
            : long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id
            : throw Invalid("page_token is not one this service gave");
        var filter = new AuditFilter(Instant(request.FromTime, "from_time"), Instant(request.ToTime, "to_time"),
            Text(request.Actor, "actor"), Text(request.Action, "action"), Text(request.ObjectId, "object_id"));
        if (filter is { From: { } from, To: { } to } && from >= to)
            throw Invalid("from_time must be before to_time");

        List<AuditEntryRecord> rows;
        try { rows = await store.ListAsync(caller.TenantId, filter, before, size + 1, context.CancellationToken); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw AdjustmentErrors.FromDatabase(e, AdjustmentErrors.AuditUnavailable);
        }

        var response = new ListAuditEntriesResponse();
        response.Entries.AddRange(rows.Take(size).Select(r => new AuditEntry
        {
            Id = r.Id,
            OccurredAt = Timestamp.FromDateTimeOffset(r.OccurredAt),
            Actor = r.Actor,
            Service = r.Service,
            Action = r.Action,
            ObjectType = r.ObjectType,
            ObjectId = r.ObjectId ?? "",
            DetailsJson = r.DetailsJson,
            TraceParent = r.TraceParent ?? "",
        }));
        if (rows.Count > size) response.NextPageToken = rows[size - 1].Id.ToString(CultureInfo.InvariantCulture);
        return response;
    }

    private static DateTimeOffset? Instant(Timestamp? value, string field) =>
        value is null ? null
        : WireValues.TryReadTimestamp(value, out var instant) ? instant
        : throw Invalid($"{field} is not a valid Timestamp");

    private static string? Text(string value, string field) =>
        value.Length == 0 ? null
        : value.Length <= MaxFilterLength && WireValues.TextProblem(value) is null ? value
        : throw Invalid($"{field} must be at most {MaxFilterLength} characters without control characters");

    private static AdjustmentException Invalid(string detail) => AdjustmentErrors.Refuse(AdjustmentErrors.AuditInvalidArgument, detail);
}
