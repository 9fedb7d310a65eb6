using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tests.Shared;
using HrmsAttendance.Tokens;
using Npgsql;
using static HrmsAttendance.PunchLedger.IntegrationTests.Grpc.PunchLedgerServiceFixture;
using AdjustmentsClient = HrmsAttendance.Contracts.Adjustments.V1.Adjustments.AdjustmentsClient;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// Adjustment requests (issue 14) over the service's gRPC port: the state machine, who may ask, see and decide, and an
/// approval that records a CORRECTION punch so the day's result is current when Approve returns.
/// </summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class AdjustmentsGrpcTests(PunchLedgerServiceFixture fixture) : IAsyncLifetime
{
    // Monday 2026-03-02, Asia/Shanghai: the employee punched out at 18:00 but the 09:00 punch in is missing.
    private static readonly DateTimeOffset MondayNine = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Monday = new(2026, 3, 2);

    private readonly Guid tenant = Guid.NewGuid();
    private Guid employee, colleague, approver;
    private AdjustmentsClient client = null!;

    public async Task InitializeAsync()
    {
        (employee, colleague, approver) = await fixture.NewPersonsAsync(tenant, 3) switch { var p => (p[0], p[1], p[2]) };
        client = new AdjustmentsClient(fixture.Channel);
        await client.AssignApproverAsync(new ApproverAssignment { ApproverPersonUuid = approver.ToString(), PersonUuid = employee.ToString() },
            As(AccessRoles.TenantAdmin, "admin"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private CallOptions As(string role, string subject, Guid? person = null, Guid? tenantId = null) =>
        As([role], subject, person, tenantId);

    private CallOptions As(string[] roles, string subject, Guid? person = null, Guid? tenantId = null)
    {
        var token = new AccessTokenIssuer(AccessTokens.Settings)
            .Issue(new AccessTokenClaims(tenantId ?? tenant, subject, roles, person), TimeSpan.FromMinutes(10));
        return TestAccessTokens.Bearer(token);
    }

    private CallOptions Employee => As(AccessRoles.Employee, "user:employee", employee);
    private CallOptions Approver => As([AccessRoles.Employee, AccessRoles.Approver], "user:approver", approver);
    private CallOptions Admin => As(AccessRoles.TenantAdmin, "user:admin");

    private static RequestAdjustmentRequest MissingIn(Guid person, string reason = "忘记打卡 / forgot to punch in", string key = "") => new()
    {
        PersonUuid = person.ToString(),
        PunchTime = Timestamp.FromDateTimeOffset(MondayNine),
        PunchType = AdjustmentPunchType.In,
        Reason = reason,
        ClientRequestId = key,
    };

    private static async Task<RpcException> Refused(StatusCode status, string code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(status, e.StatusCode);
        Assert.StartsWith(code + ": ", e.Status.Detail);
        return e;
    }

    private async Task PunchOutAtSixAsync()
    {
        var punch = new PunchInput
        {
            PersonUuid = employee.ToString(),
            PunchTime = Timestamp.FromDateTimeOffset(MondayNine.AddHours(9)),
            PunchType = PunchType.Out,
            SourceProvider = SourceProvider.Manual,
            RequestId = Guid.NewGuid().ToString(),
        };
        await fixture.Client.SubmitPunchAsync(new SubmitPunchRequest { Punch = punch }, For(tenant));
    }

    [Fact]
    public async Task An_approved_request_records_a_correction_and_the_day_is_current_when_approve_returns()
    {
        await PunchOutAtSixAsync();
        var before = await fixture.ReadDailyResultAsync(tenant, employee, Monday);
        Assert.Equal("EXCEPTION", before!["status"]);
        Assert.Contains("MISSING_IN", (string[])before["flags"]!);

        var requested = await client.RequestAdjustmentAsync(MissingIn(employee), Employee);
        Assert.Equal(AdjustmentStatus.Requested, requested.Status);
        Assert.Equal("user:employee", requested.RequestedBy);
        Assert.Equal(["2026-03-01", "2026-03-02"], requested.AffectedWorkDates);
        // Asking changes no result.
        Assert.Equal("EXCEPTION", (await fixture.ReadDailyResultAsync(tenant, employee, Monday))!["status"]);

        var approved = await client.ApproveAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId, Comment = "ok" }, Approver);

        Assert.Equal(AdjustmentStatus.Approved, approved.Status);
        Assert.Equal("user:approver", approved.DecidedBy);
        Assert.Equal("ok", approved.DecisionComment);
        Assert.NotEmpty(approved.CorrectionEventId);
        var after = await fixture.ReadDailyResultAsync(tenant, employee, Monday);
        Assert.Equal("PRESENT", after!["status"]);
        Assert.Empty((string[])after["flags"]!);
        Assert.Equal(540, after["worked_minutes"]);

        // The correction is an ordinary punch of the ledger, from CORRECTION, keyed by the request.
        using var list = fixture.Client.ListPunches(new ListPunchesRequest { PersonUuid = employee.ToString(), FromDate = "2026-03-02", ToDate = "2026-03-02" }, For(tenant));
        var punches = await list.ResponseStream.ReadAllAsync().ToListAsync();
        var correction = Assert.Single(punches, p => p.SourceProvider == SourceProvider.Correction);
        Assert.Equal(approved.CorrectionEventId, correction.EventId);
        Assert.Equal($"adjustment:{requested.AdjustmentId}", correction.RequestId);
        Assert.Equal(PunchType.In, correction.PunchType);

        // Approving again answers the same; nothing is recorded twice, and it can no longer be rejected or withdrawn.
        var again = await client.ApproveAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, Approver);
        Assert.Equal(approved.CorrectionEventId, again.CorrectionEventId);
        Assert.Equal(2, await fixture.CountEventsAsync(tenant));
        await Refused(StatusCode.FailedPrecondition, "ADJUSTMENT_NOT_PENDING", async () =>
            await client.RejectAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId, Comment = "no" }, Admin));
        await Refused(StatusCode.FailedPrecondition, "ADJUSTMENT_NOT_PENDING", async () =>
            await client.WithdrawAdjustmentAsync(new WithdrawAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, Employee));
    }

    [Fact]
    public async Task Only_an_assigned_approver_or_a_tenant_admin_decides_and_nobody_decides_their_own()
    {
        var requested = await client.RequestAdjustmentAsync(MissingIn(employee), Employee);
        var decide = new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId, Comment = "x" };

        // An approver who is not assigned to the employee.
        var stranger = As([AccessRoles.Approver], "user:other-approver", colleague);
        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () => await client.ApproveAdjustmentAsync(decide, stranger));
        // The employee itself, even holding the approver role.
        var self = As([AccessRoles.Employee, AccessRoles.Approver], "user:employee", employee);
        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () => await client.ApproveAdjustmentAsync(decide, self));
        // A plain employee.
        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () =>
            await client.ApproveAdjustmentAsync(decide, As(AccessRoles.Employee, "user:colleague", colleague)));

        Assert.Equal(AdjustmentStatus.Requested, (await client.GetAdjustmentAsync(new GetAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, Admin)).Status);
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));

        var rejected = await client.RejectAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId, Comment = "有打卡记录" }, Admin);
        Assert.Equal(AdjustmentStatus.Rejected, rejected.Status);
        Assert.Equal("有打卡记录", rejected.DecisionComment);
        Assert.Empty(rejected.CorrectionEventId);
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task Rejecting_needs_a_comment_and_bad_requests_change_nothing()
    {
        var requested = await client.RequestAdjustmentAsync(MissingIn(employee), Employee);
        await Refused(StatusCode.InvalidArgument, "ADJUSTMENT_INVALID_ARGUMENT", async () =>
            await client.RejectAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId, Comment = "  " }, Approver));

        foreach (var bad in new[]
                 {
                     MissingIn(employee, reason: ""),
                     MissingIn(employee, reason: new string('x', 501)),
                     MissingIn(employee, reason: "tab\there"),
                     new RequestAdjustmentRequest(MissingIn(employee)) { PunchType = AdjustmentPunchType.Unspecified },
                     new RequestAdjustmentRequest(MissingIn(employee)) { PunchTime = null },
                     new RequestAdjustmentRequest(MissingIn(employee)) { PunchTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(1999, 12, 31, 0, 0, 0, TimeSpan.Zero)) },
                     new RequestAdjustmentRequest(MissingIn(employee)) { PersonUuid = "not-a-uuid" },
                     MissingIn(employee, key: new string('k', 201)),
                 })
            await Refused(StatusCode.InvalidArgument, "ADJUSTMENT_INVALID_ARGUMENT", async () => await client.RequestAdjustmentAsync(bad, Employee));
        await Refused(StatusCode.InvalidArgument, "ADJUSTMENT_INVALID_ARGUMENT", async () =>
            await client.ListAdjustmentsAsync(new ListAdjustmentsRequest { PersonUuid = employee.ToString(), PageToken = "bogus" }, Employee));
        await Refused(StatusCode.InvalidArgument, "ADJUSTMENT_INVALID_ARGUMENT", async () =>
            await client.ListAdjustmentsAsync(new ListAdjustmentsRequest { PersonUuid = employee.ToString(), PageSize = 201 }, Employee));

        var mine = await client.ListAdjustmentsAsync(new ListAdjustmentsRequest { PersonUuid = employee.ToString() }, Employee);
        Assert.Equal(requested.AdjustmentId, Assert.Single(mine.Adjustments).AdjustmentId);
    }

    [Fact]
    public async Task Employees_ask_and_see_only_for_their_own_person_and_withdraw_only_their_own_requests()
    {
        var colleagueToken = As(AccessRoles.Employee, "user:colleague", colleague);
        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () => await client.RequestAdjustmentAsync(MissingIn(employee), colleagueToken));
        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () =>
            await client.ListAdjustmentsAsync(new ListAdjustmentsRequest { PersonUuid = employee.ToString() }, colleagueToken));

        var requested = await client.RequestAdjustmentAsync(MissingIn(employee), Employee);
        await Refused(StatusCode.NotFound, "ADJUSTMENT_NOT_FOUND", async () =>
            await client.GetAdjustmentAsync(new GetAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, colleagueToken));
        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () =>
            await client.WithdrawAdjustmentAsync(new WithdrawAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, colleagueToken));

        var withdrawn = await client.WithdrawAdjustmentAsync(new WithdrawAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, Employee);
        Assert.Equal(AdjustmentStatus.Withdrawn, withdrawn.Status);
        Assert.Equal("user:employee", withdrawn.DecidedBy);
        await Refused(StatusCode.FailedPrecondition, "ADJUSTMENT_NOT_PENDING", async () =>
            await client.ApproveAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, Approver));
        Assert.Equal(0, await fixture.CountEventsAsync(tenant));
    }

    [Fact]
    public async Task A_client_request_id_makes_asking_idempotent_and_other_fields_under_it_conflict()
    {
        var first = await client.RequestAdjustmentAsync(MissingIn(employee, key: "form-1"), Employee);
        var retry = await client.RequestAdjustmentAsync(MissingIn(employee, key: "form-1"), Employee);
        Assert.Equal(first.AdjustmentId, retry.AdjustmentId);

        await Refused(StatusCode.AlreadyExists, "ADJUSTMENT_IDEMPOTENCY_CONFLICT", async () =>
            await client.RequestAdjustmentAsync(MissingIn(employee, reason: "another reason", key: "form-1"), Employee));
        var all = await client.ListAdjustmentsAsync(new ListAdjustmentsRequest { PersonUuid = employee.ToString() }, Admin);
        Assert.Single(all.Adjustments);
    }

    [Fact]
    public async Task Pending_approvals_are_the_assigned_persons_for_an_approver_and_everyone_for_a_tenant_admin()
    {
        var ofEmployee = await client.RequestAdjustmentAsync(MissingIn(employee), Employee);
        var ofColleague = await client.RequestAdjustmentAsync(MissingIn(colleague), As(AccessRoles.Employee, "user:colleague", colleague));
        var ofApprover = await client.RequestAdjustmentAsync(MissingIn(approver), Approver);

        var approverInbox = await client.ListPendingApprovalsAsync(new ListPendingApprovalsRequest(), Approver);
        Assert.Equal([ofEmployee.AdjustmentId], approverInbox.Adjustments.Select(a => a.AdjustmentId));

        var adminInbox = await client.ListPendingApprovalsAsync(new ListPendingApprovalsRequest { PageSize = 2 }, Admin);
        Assert.Equal([ofEmployee.AdjustmentId, ofColleague.AdjustmentId], adminInbox.Adjustments.Select(a => a.AdjustmentId));
        var next = await client.ListPendingApprovalsAsync(new ListPendingApprovalsRequest { PageSize = 2, PageToken = adminInbox.NextPageToken }, Admin);
        Assert.Equal([ofApprover.AdjustmentId], next.Adjustments.Select(a => a.AdjustmentId));
        Assert.Empty(next.NextPageToken);
        // A token this service gave, with a space around its uuid, is not one it gave.
        foreach (var padded in new[] { adminInbox.NextPageToken + " ", adminInbox.NextPageToken.Replace(".", ". ", StringComparison.Ordinal) })
            await Refused(StatusCode.InvalidArgument, "ADJUSTMENT_INVALID_ARGUMENT", async () =>
                await client.ListPendingApprovalsAsync(new ListPendingApprovalsRequest { PageSize = 2, PageToken = padded }, Admin));

        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () =>
            await client.ListPendingApprovalsAsync(new ListPendingApprovalsRequest(), Employee));
    }

    [Fact]
    public async Task Requests_and_assignments_name_active_persons_of_the_tenant_and_tenants_do_not_see_each_other()
    {
        await Refused(StatusCode.FailedPrecondition, "ADJUSTMENT_PERSON_UNKNOWN", async () =>
            await client.RequestAdjustmentAsync(MissingIn(Guid.NewGuid()), Admin));
        var gone = await fixture.NewPersonAsync(tenant);
        await fixture.DeactivateAsync(tenant, gone);
        await Refused(StatusCode.FailedPrecondition, "ADJUSTMENT_PERSON_INACTIVE", async () =>
            await client.RequestAdjustmentAsync(MissingIn(gone), Admin));
        await Refused(StatusCode.FailedPrecondition, "ADJUSTMENT_PERSON_UNKNOWN", async () =>
            await client.AssignApproverAsync(new ApproverAssignment { ApproverPersonUuid = approver.ToString(), PersonUuid = Guid.NewGuid().ToString() }, Admin));
        await Refused(StatusCode.InvalidArgument, "ADJUSTMENT_INVALID_ARGUMENT", async () =>
            await client.AssignApproverAsync(new ApproverAssignment { ApproverPersonUuid = approver.ToString(), PersonUuid = approver.ToString() }, Admin));
        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () =>
            await client.AssignApproverAsync(new ApproverAssignment { ApproverPersonUuid = approver.ToString(), PersonUuid = colleague.ToString() }, Approver));

        var requested = await client.RequestAdjustmentAsync(MissingIn(employee), Employee);
        var otherTenantAdmin = As(AccessRoles.TenantAdmin, "user:admin", tenantId: Guid.NewGuid());
        await Refused(StatusCode.NotFound, "ADJUSTMENT_NOT_FOUND", async () =>
            await client.GetAdjustmentAsync(new GetAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, otherTenantAdmin));
        await Refused(StatusCode.NotFound, "ADJUSTMENT_NOT_FOUND", async () =>
            await client.ApproveAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, otherTenantAdmin));
        Assert.Empty((await client.ListPendingApprovalsAsync(new ListPendingApprovalsRequest(), otherTenantAdmin)).Adjustments);

        var assignments = await client.ListApproverAssignmentsAsync(new ListApproverAssignmentsRequest { PersonUuid = employee.ToString() }, Admin);
        var assignment = Assert.Single(assignments.Assignments);
        Assert.Equal((approver.ToString(), "admin"), (assignment.ApproverPersonUuid, assignment.AssignedBy));
        Assert.True((await client.UnassignApproverAsync(assignment, Admin)).Removed);
        Assert.False((await client.UnassignApproverAsync(assignment, Admin)).Removed);
        await Refused(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", async () =>
            await client.ApproveAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, Approver));
    }

    [Fact]
    public async Task The_table_keeps_the_state_machine_even_against_the_service_role()
    {
        var requested = await client.RequestAdjustmentAsync(MissingIn(employee), Employee);
        await client.WithdrawAdjustmentAsync(new WithdrawAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, Employee);

        await using var connection = await fixture.Owner.OpenConnectionAsync();
        async Task<PostgresException> Refused(string sql)
        {
            await using var tx = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand($"SELECT set_config('app.current_tenant', '{tenant}', true); {sql}", connection, tx);
            return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        }
        Assert.Equal("ADJUSTMENT_NOT_PENDING", (await Refused(
            $"UPDATE staffing.adjustment_requests SET status = 'APPROVED' WHERE adjustment_id = '{requested.AdjustmentId}'")).MessageText);
        Assert.Equal("ADJUSTMENT_IMMUTABLE", (await Refused(
            $"DELETE FROM staffing.adjustment_requests WHERE adjustment_id = '{requested.AdjustmentId}'")).MessageText);

        var pending = await client.RequestAdjustmentAsync(MissingIn(employee, reason: "second"), Employee);
        Assert.Equal("ADJUSTMENT_IMMUTABLE", (await Refused(
            $"UPDATE staffing.adjustment_requests SET reason = 'changed', status = 'REJECTED', decided_by = 'x', decided_at = now() WHERE adjustment_id = '{pending.AdjustmentId}'")).MessageText);
    }
}
