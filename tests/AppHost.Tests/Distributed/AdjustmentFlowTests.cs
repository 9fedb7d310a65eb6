using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Audit.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// Issue 14's approval flow through the gateway of the whole topology: an employee asks for its missing punch, its
/// approver approves, the day's result is current at once; the audit log shows each step to the tenant-admin, and
/// neither the employee nor the approver may read the log.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class AdjustmentFlowTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task An_employee_asks_an_approver_approves_and_the_day_and_the_audit_log_show_it()
    {
        var app = fixture.App;
        await app.WaitHealthyAsync("gateway", TimeSpan.FromSeconds(60));
        await app.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(60));
        var callers = new TopologyCallers(app, fixture.DataDirectory);
        using var channel = callers.Channel();
        var tenant = Guid.NewGuid();
        var employee = await callers.NewPersonAsync(channel, tenant);
        var approver = await callers.NewPersonAsync(channel, tenant);
        var asEmployee = TopologyCallers.Bearer(callers.Token(tenant, AccessRoles.Employee, employee, "user:employee"));
        var asApprover = TopologyCallers.Bearer(callers.Token(tenant, AccessRoles.Approver, approver, "user:approver"));
        var asAdmin = TopologyCallers.Bearer(callers.Token(tenant, AccessRoles.TenantAdmin, subject: "user:admin"));
        var adjustments = new Adjustments.AdjustmentsClient(channel);
        var results = new DailyResults.DailyResultsClient(channel);

        await adjustments.AssignApproverAsync(new ApproverAssignment { ApproverPersonUuid = approver.ToString(), PersonUuid = employee.ToString() }, asAdmin);
        // The gateway holds an employee to its own person.
        var other = await Assert.ThrowsAsync<RpcException>(async () => await adjustments.RequestAdjustmentAsync(new RequestAdjustmentRequest
        {
            PersonUuid = approver.ToString(), PunchTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8))),
            PunchType = AdjustmentPunchType.In, Reason = "not mine",
        }, asEmployee));
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);

        var requested = await adjustments.RequestAdjustmentAsync(new RequestAdjustmentRequest
        {
            PersonUuid = employee.ToString(), PunchTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8))),
            PunchType = AdjustmentPunchType.In, Reason = "门禁故障 / the reader was down",
        }, asEmployee);
        var inbox = await adjustments.ListPendingApprovalsAsync(new ListPendingApprovalsRequest(), asApprover);
        Assert.Equal(requested.AdjustmentId, Assert.Single(inbox.Adjustments).AdjustmentId);

        var approved = await adjustments.ApproveAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId }, asApprover);
        Assert.Equal(AdjustmentStatus.Approved, approved.Status);

        var day = await results.GetDailyResultAsync(new GetDailyResultRequest { PersonUuid = employee.ToString(), WorkDate = "2026-03-02" }, asEmployee);
        Assert.Equal(1, day.InputPunchCount);
        Assert.Equal([DailyFlag.MissingOut], day.Flags);
        Assert.Equal(approved.PunchTime, day.FirstInTime);

        var audit = await new AuditLog.AuditLogClient(channel).ListAuditEntriesAsync(new ListAuditEntriesRequest { Action = "adjustment." }, asAdmin);
        Assert.Equal([("adjustment.approved", "user:approver"), ("adjustment.requested", "user:employee")],
            audit.Entries.Select(e => (e.Action, e.Actor)));
        foreach (var notAdmin in new[] { asEmployee, asApprover })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                await new AuditLog.AuditLogClient(channel).ListAuditEntriesAsync(new ListAuditEntriesRequest(), notAdmin));
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
    }
}
