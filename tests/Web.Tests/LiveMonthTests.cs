using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Web.Components.Pages;

namespace HrmsAttendance.Web.Tests;

/// <summary>My month in a running circuit: a change of one of the month's results re-reads the month.</summary>
public sealed class LiveMonthTests : WebTestContext
{
    protected override bool Interactive => true;

    [Fact]
    public async Task A_result_change_on_the_stream_shows_at_once()
    {
        SignIn("employee");
        var page = RenderAt<MyMonth>("my-month?month=2026-03");
        page.WaitForElement("[data-testid=live]");
        var watch = Assert.Single(Gateway.Results.WatchRequests);
        Assert.Equal((PersonId, "2026-03-01", "2026-03-31"), (watch.PersonUuid, watch.FromDate, watch.ToDate));
        Assert.Contains("status-none", page.Find("[data-testid=day-2026-03-16]").ClassName);

        // The ledger records a punch: the day's result changes, and the stream says so.
        Gateway.Results.Stored.Add(new DailyResult { PersonUuid = PersonId, WorkDate = "2026-03-16", Status = DailyStatus.Exception, Flags = { DailyFlag.MissingOut } });
        await Gateway.Results.Changes.Writer.WriteAsync(new DailyResultChange { ChangeSequence = 7, PersonUuid = PersonId, WorkDate = "2026-03-16", Status = DailyStatus.Exception });

        page.WaitForAssertion(() => Assert.Contains("status-exception", page.Find("[data-testid=day-2026-03-16]").ClassName));
        Assert.Contains("Missing out", page.Find("[data-testid=day-2026-03-16]").TextContent);
    }
}
