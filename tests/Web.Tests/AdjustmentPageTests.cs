using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Web.Components.Pages;

namespace HrmsAttendance.Web.Tests;

public sealed class AdjustmentPageTests : WebTestContext
{
    /// <summary>In a running circuit: the decision buttons are disabled while the page is only prerendered.</summary>
    protected override bool Interactive => true;

    [Fact]
    public void A_missing_punch_is_requested_at_the_Shanghai_time_given_and_listed_as_pending()
    {
        SignIn("employee");
        var page = Render<MyAdjustments>();
        page.WaitForElement("[data-testid=empty-state]");

        page.Find("[data-testid=request-date]").Change("2026-03-16");
        page.Find("[data-testid=request-time]").Change("18:05");
        page.Find("[data-testid=request-type]").Change(AdjustmentPunchType.Out.ToString());
        page.Find("[data-testid=request-reason]").Change("忘记打卡 forgot to punch out");
        page.Find("[data-testid=request-form]").Submit();

        page.WaitForElement("[data-testid=request-sent]");
        var sent = Assert.Single(Gateway.Adjustments.Requests);
        Assert.Equal(PersonId, sent.PersonUuid);
        Assert.Equal(Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 16, 10, 5, 0, TimeSpan.Zero)), sent.PunchTime);
        Assert.Equal(AdjustmentPunchType.Out, sent.PunchType);
        Assert.Equal("忘记打卡 forgot to punch out", sent.Reason);
        Assert.True(Guid.TryParse(sent.ClientRequestId, out _));
        Assert.Equal("Pending", page.Find("[data-testid=adjustment-status]").TextContent);

        page.Find("[data-testid=withdraw]").Click();
        page.WaitForAssertion(() => Assert.Equal("Withdrawn", page.Find("[data-testid=adjustment-status]").TextContent));
    }

    [Fact]
    public void The_approver_approves_a_request_and_sees_the_recomputed_day()
    {
        SignIn("approver");
        Gateway.Adjustments.Stored.Add(new AdjustmentRequest
        {
            AdjustmentId = Guid.NewGuid().ToString(), PersonUuid = PersonId, Status = AdjustmentStatus.Requested, Reason = "forgot",
            PunchType = AdjustmentPunchType.In, PunchTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 16, 1, 0, 0, TimeSpan.Zero)),
        });
        var page = Render<Approvals>();
        page.WaitForElement("[data-testid=approve]");

        page.Find("[data-testid=comment]").Change("ok");
        page.Find("[data-testid=approve]").Click();

        page.WaitForAssertion(() => Assert.Contains("2026-03-16", page.Find("[data-testid=decided]").TextContent));
        Assert.Equal(AdjustmentStatus.Approved, Gateway.Adjustments.Stored[0].Status);
        Assert.Equal("ok", Gateway.Adjustments.Stored[0].DecisionComment);
        Assert.Contains("Nothing to decide", page.Find("[data-testid=empty-state]").TextContent);
    }

    [Fact]
    public void A_refused_decision_shows_its_code_and_the_request_stays()
    {
        SignIn("approver");
        Gateway.Adjustments.Stored.Add(new AdjustmentRequest { AdjustmentId = Guid.NewGuid().ToString(), PersonUuid = PersonId, Status = AdjustmentStatus.Requested });
        Gateway.Adjustments.RefuseDecision = FakeGateway.Refusal(StatusCode.PermissionDenied, "ADJUSTMENT_FORBIDDEN", "your own request");
        var page = Render<Approvals>();
        page.WaitForElement("[data-testid=reject]").Click();

        page.WaitForAssertion(() => Assert.Equal("ADJUSTMENT_FORBIDDEN", page.Find("[data-testid=problem-code]").TextContent));
        Assert.Contains("your own request", page.Find("[data-testid=problem]").TextContent);
        Assert.Single(page.FindAll("[data-testid=adjustment-row]"));
    }
}
