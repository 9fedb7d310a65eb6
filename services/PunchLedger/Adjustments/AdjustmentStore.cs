using System.Text.Json.Nodes;
using HrmsAttendance.Database;
using HrmsAttendance.Messaging.Outbox;
using Npgsql;

namespace HrmsAttendance.PunchLedger.Adjustments;

public sealed record AdjustmentRecord(
    Guid AdjustmentId, Guid PersonUuid, DateTimeOffset PunchTime, string PunchType, string Reason, string? ClientRequestId,
    string RequestedBy, DateTimeOffset RequestedAt, string Status, string? DecidedBy, DateTimeOffset? DecidedAt,
    string? DecisionComment, Guid? CorrectionEventUuid);

public sealed record ApproverAssignmentRecord(Guid ApproverPersonUuid, Guid PersonUuid, string AssignedBy, DateTimeOffset AssignedAt);

/// <summary>What the caller asks for, already checked for shape.</summary>
public sealed record NewAdjustment(Guid PersonUuid, DateTimeOffset PunchTime, string PunchType, string Reason, string? ClientRequestId);

/// <summary>
/// Adjustment requests and approver assignments (staffing.adjustment_requests, staffing.approver_assignments;
/// migration 0020): plain statements under the tenant's RLS, the state machine and the person checks in the tables'
/// triggers. An approval is one transaction: the request locked, the CORRECTION punch through the kernel's door
/// (request_id <c>adjustment:&lt;id&gt;</c>), the request marked APPROVED. Every write also sets <c>app.actor</c>, which
/// the audit triggers read where a row does not name its actor.
/// </summary>
public sealed class AdjustmentStore(NpgsqlDataSource dataSource, OutboxSignal? outboxWritten = null)
{
    private const string Columns = """
        adjustment_id, person_uuid, punch_time, punch_type, reason, client_request_id, requested_by, requested_at,
        status, decided_by, decided_at, decision_comment, correction_event_uuid
        """;

    /// <summary>Inserts the request, or returns the one the same requester made with the same client_request_id (Replayed).</summary>
    public async Task<(AdjustmentRecord Request, bool Replayed)> RequestAsync(Guid tenant, string actor, NewAdjustment request, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = Scoped(connection, tenant, actor);
        batch.Add($"""
            INSERT INTO staffing.adjustment_requests (tenant_id, person_uuid, punch_time, punch_type, reason, client_request_id, requested_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (tenant_id, requested_by, client_request_id) WHERE client_request_id IS NOT NULL DO NOTHING
            RETURNING {Columns}
            """, tenant, request.PersonUuid, request.PunchTime.UtcDateTime, request.PunchType, request.Reason,
            request.ClientRequestId, actor);
        var inserted = await SingleOrDefaultAsync(batch, ct);
        if (inserted is not null) return (inserted, false);

        // The key was used before by this requester: the same request answers again; another one is a conflict.
        var existing = await FindByClientRequestIdAsync(tenant, actor, request.ClientRequestId!, ct)
            ?? throw AdjustmentErrors.Refuse(AdjustmentErrors.Internal, "the request with this client_request_id vanished");
        if (existing.PersonUuid != request.PersonUuid || existing.PunchTime != request.PunchTime
            || existing.PunchType != request.PunchType || existing.Reason != request.Reason)
            throw AdjustmentErrors.Refuse(AdjustmentErrors.IdempotencyConflict,
                $"client_request_id '{request.ClientRequestId}' was used for request {existing.AdjustmentId} with other fields");
        return (existing, true);
    }

    public async Task<AdjustmentRecord?> GetAsync(Guid tenant, Guid adjustmentId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"SELECT {Columns} FROM staffing.adjustment_requests WHERE tenant_id = $1 AND adjustment_id = $2", tenant, adjustmentId);
        return await SingleOrDefaultAsync(batch, ct);
    }

    /// <summary>A person's requests, newest first, after the keyset cursor (requested_at, id) when given.</summary>
    public async Task<List<AdjustmentRecord>> ListForPersonAsync(Guid tenant, Guid person, string? status,
        (DateTimeOffset At, Guid Id)? after, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"""
            SELECT {Columns} FROM staffing.adjustment_requests
            WHERE tenant_id = $1 AND person_uuid = $2 AND ($3::text IS NULL OR status = $3::text)
              AND ($4::timestamptz IS NULL OR (requested_at, adjustment_id) < ($4::timestamptz, $5::uuid))
            ORDER BY requested_at DESC, adjustment_id DESC
            LIMIT $6
            """, tenant, person, status, after?.At.UtcDateTime, after?.Id, limit);
        return await ListAsync(batch, ct);
    }

    /// <summary>
    /// The waiting requests, oldest first: of the persons <paramref name="approver"/> is assigned (null: of everyone,
    /// for a tenant-admin), never the approver's own.
    /// </summary>
    public async Task<List<AdjustmentRecord>> ListPendingAsync(Guid tenant, Guid? approver, Guid? own,
        (DateTimeOffset At, Guid Id)? after, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"""
            SELECT {Columns} FROM staffing.adjustment_requests r
            WHERE r.tenant_id = $1 AND r.status = 'REQUESTED'
              AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM staffing.approver_assignments a
                                               WHERE a.tenant_id = $1 AND a.approver_person_uuid = $2::uuid AND a.person_uuid = r.person_uuid))
              AND ($3::uuid IS NULL OR r.person_uuid <> $3::uuid)
              AND ($4::timestamptz IS NULL OR (r.requested_at, r.adjustment_id) > ($4::timestamptz, $5::uuid))
            ORDER BY r.requested_at, r.adjustment_id
            LIMIT $6
            """, tenant, approver, own, after?.At.UtcDateTime, after?.Id, limit);
        return await ListAsync(batch, ct);
    }

    public async Task<bool> IsApproverOfAsync(Guid tenant, Guid approver, Guid person, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add("""
            SELECT EXISTS (SELECT 1 FROM staffing.approver_assignments
                           WHERE tenant_id = $1 AND approver_person_uuid = $2 AND person_uuid = $3)
            """, tenant, approver, person);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        return await reader.ReadAsync(ct) && reader.GetBoolean(0);
    }

    /// <summary>
    /// Decides a waiting request in one transaction. <paramref name="mayDecide"/> sees the locked request and throws
    /// when the caller may not decide it. Approving records the CORRECTION punch through the kernel's door first.
    /// Returns the request as decided (an APPROVED request approved again is returned unchanged).
    /// </summary>
    public async Task<AdjustmentRecord> DecideAsync(Guid tenant, string actor, Guid adjustmentId, string decision, string? comment,
        Func<AdjustmentRecord, CancellationToken, Task> mayDecide, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var settings = Scoped(connection, tenant, actor))
            await settings.ExecuteNonQueryAsync(ct);

        var request = await LockAsync(connection, tenant, adjustmentId, ct)
            ?? throw AdjustmentErrors.Refuse(AdjustmentErrors.NotFound, $"no adjustment request {adjustmentId} in this tenant");
        await mayDecide(request, ct);
        if (request.Status != "REQUESTED")
        {
            if (request.Status == decision && decision == "APPROVED") return request;
            throw AdjustmentErrors.Refuse(AdjustmentErrors.NotPending, $"request {adjustmentId} is {request.Status} already");
        }

        Guid? correction = null;
        if (decision == "APPROVED")
        {
            await using var door = new NpgsqlCommand("""
                SELECT event_uuid FROM staffing.submit_time_punch_event($1, $2, $3, $4, 'CORRECTION', NULL, $5, $6::jsonb, $7)
                """, connection);
            var payload = new JsonObject
            {
                ["adjustment_id"] = adjustmentId.ToString(),
                ["reason"] = request.Reason,
                ["requested_by"] = request.RequestedBy,
                ["approved_by"] = actor,
            };
            foreach (var value in new object?[]
                     {
                         tenant, request.PersonUuid, request.PunchTime.UtcDateTime, request.PunchType,
                         CorrectionRequestId(adjustmentId), payload.ToJsonString(), actor,
                     })
                door.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            correction = (Guid)(await door.ExecuteScalarAsync(ct))!;
        }

        await using var update = new NpgsqlCommand($"""
            UPDATE staffing.adjustment_requests
            SET status = $3, decided_by = $4, decided_at = now(), decision_comment = $5, correction_event_uuid = $6
            WHERE tenant_id = $1 AND adjustment_id = $2
            RETURNING {Columns}
            """, connection);
        foreach (var value in new object?[] { tenant, adjustmentId, decision, actor, comment, correction })
            update.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        AdjustmentRecord decided;
        await using (var reader = await update.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            decided = Read(reader);
        }
        await transaction.CommitAsync(ct);
        if (correction is not null) outboxWritten?.Notify();
        return decided;
    }

    /// <summary>The kernel's idempotency key of an approval's correction: a retried approval records nothing twice.</summary>
    public static string CorrectionRequestId(Guid adjustmentId) => $"adjustment:{adjustmentId:D}";

    public async Task<ApproverAssignmentRecord> AssignAsync(Guid tenant, string actor, Guid approver, Guid person, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = Scoped(connection, tenant, actor);
        // An existing assignment is answered as it is (no second audit entry).
        batch.Add("""
            WITH inserted AS (
              INSERT INTO staffing.approver_assignments (tenant_id, approver_person_uuid, person_uuid, assigned_by)
              VALUES ($1, $2, $3, $4)
              ON CONFLICT DO NOTHING
              RETURNING approver_person_uuid, person_uuid, assigned_by, assigned_at)
            SELECT * FROM inserted
            UNION ALL
            SELECT approver_person_uuid, person_uuid, assigned_by, assigned_at FROM staffing.approver_assignments
            WHERE tenant_id = $1 AND approver_person_uuid = $2 AND person_uuid = $3 AND NOT EXISTS (SELECT 1 FROM inserted)
            """, tenant, approver, person, actor);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        await reader.ReadAsync(ct);
        return ReadAssignment(reader);
    }

    public async Task<bool> UnassignAsync(Guid tenant, string actor, Guid approver, Guid person, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = Scoped(connection, tenant, actor);
        batch.Add("DELETE FROM staffing.approver_assignments WHERE tenant_id = $1 AND approver_person_uuid = $2 AND person_uuid = $3",
            tenant, approver, person);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        return reader.RecordsAffected > 0;
    }

    public async Task<List<ApproverAssignmentRecord>> ListAssignmentsAsync(Guid tenant, Guid? approver, Guid? person, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add("""
            SELECT approver_person_uuid, person_uuid, assigned_by, assigned_at FROM staffing.approver_assignments
            WHERE tenant_id = $1 AND ($2::uuid IS NULL OR approver_person_uuid = $2::uuid) AND ($3::uuid IS NULL OR person_uuid = $3::uuid)
            ORDER BY approver_person_uuid, assigned_at, person_uuid
            LIMIT 10000
            """, tenant, approver, person);
        var rows = new List<ApproverAssignmentRecord>();
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(ReadAssignment(reader));
        return rows;
    }

    private async Task<AdjustmentRecord?> FindByClientRequestIdAsync(Guid tenant, string actor, string clientRequestId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"SELECT {Columns} FROM staffing.adjustment_requests WHERE tenant_id = $1 AND requested_by = $2 AND client_request_id = $3",
            tenant, actor, clientRequestId);
        return await SingleOrDefaultAsync(batch, ct);
    }

    private static async Task<AdjustmentRecord?> LockAsync(NpgsqlConnection connection, Guid tenant, Guid adjustmentId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM staffing.adjustment_requests WHERE tenant_id = $1 AND adjustment_id = $2 FOR UPDATE", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        command.Parameters.Add(new NpgsqlParameter { Value = adjustmentId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>The tenant batch with the actor the audit triggers record where a row names none.</summary>
    private static NpgsqlBatch Scoped(NpgsqlConnection connection, Guid tenant, string actor) =>
        TenantScopedBatch.Create(connection, tenant, actor);

    private static async Task<AdjustmentRecord?> SingleOrDefaultAsync(NpgsqlBatch batch, CancellationToken ct) =>
        (await ListAsync(batch, ct)).SingleOrDefault();

    private static async Task<List<AdjustmentRecord>> ListAsync(NpgsqlBatch batch, CancellationToken ct)
    {
        var rows = new List<AdjustmentRecord>();
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(Read(reader));
        return rows;
    }

    private static AdjustmentRecord Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), r.GetFieldValue<DateTimeOffset>(2), r.GetString(3), r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6), r.GetFieldValue<DateTimeOffset>(7), r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
        r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetGuid(12));

    private static ApproverAssignmentRecord ReadAssignment(NpgsqlDataReader r) =>
        new(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3));
}
