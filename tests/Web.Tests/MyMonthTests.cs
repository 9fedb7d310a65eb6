using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Web.Components.Pages;

namespace HrmsAttendance.Web.Tests;

public sealed class MyMonthTests : WebTestContext
{
    private static Timestamp At(int day, int hour, int minute) =>
        Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, day, hour, minute, 0, TimeSpan.FromHours(8)));

    private void ArrangeMonth()
    {
        Gateway.Results.Stored.Add(new DailyResult { PersonUuid = PersonId, WorkDate = "2026-03-02", Status = DailyStatus.Present, WorkedMinutes = 540, FirstInTime = At(2, 9, 0), LastOutTime = At(2, 18, 0) });
        Gateway.Results.Stored.Add(new DailyResult { PersonUuid = PersonId, WorkDate = "2026-03-03", Status = DailyStatus.Exception, Flags = { DailyFlag.Late }, LateMinutes = 17, WorkedMinutes = 523, FirstInTime = At(3, 9, 17), LastOutTime = At(3, 18, 0) });
        Gateway.Results.Stored.Add(new DailyResult { PersonUuid = PersonId, WorkDate = "2026-03-04", Status = DailyStatus.Absent, Flags = { DailyFlag.Absent } });
        Gateway.Results.Stored.Add(new DailyResult { PersonUuid = "11111111-1111-4111-8111-111111111111", WorkDate = "2026-03-05", Status = DailyStatus.Present });
        Gateway.Results.Summary = new MonthlySummary { DaysPresent = 1, DaysException = 1, DaysAbsent = 1, WorkedMinutes = 1063, LateMinutes = 17 };
        Gateway.Ledger.Stored.Add(new Punch { PersonUuid = PersonId, PunchTime = At(3, 18, 0), PunchType = PunchType.Out, SourceProvider = SourceProvider.Dingtalk });
        Gateway.Ledger.Stored.Add(new Punch { PersonUuid = PersonId, PunchTime = At(3, 9, 17), PunchType = PunchType.In, SourceProvider = SourceProvider.Wecom });
    }

    [Fact]
    public void The_month_shows_each_days_status_colour_flags_and_minutes_and_the_summary()
    {
        SignIn("employee");
        ArrangeMonth();

        var page = RenderAt<MyMonth>("my-month?month=2026-03");

        page.WaitForAssertion(() => Assert.Contains("status-present", page.Find("[data-testid=day-2026-03-02]").ClassName));
        Assert.Contains("status-exception", page.Find("[data-testid=day-2026-03-03]").ClassName);
        Assert.Contains("Late", page.Find("[data-testid=day-2026-03-03]").TextContent);
        Assert.Contains("status-absent", page.Find("[data-testid=day-2026-03-04]").ClassName);
        Assert.Contains("status-none", page.Find("[data-testid=day-2026-03-05]").ClassName); // another person's result is not asked for
        Assert.Contains("9h 00m", page.Find("[data-testid=day-2026-03-02]").TextContent);
        Assert.Equal("1", page.Find("[data-testid=days-present]").TextContent);
        Assert.Equal("17h 43m", page.Find("[data-testid=worked]").TextContent);
        Assert.Equal("2026-03", page.Find("[data-testid=month-label]").TextContent);
        Assert.All(Gateway.Results.ListRequests, request =>
        {
            Assert.Equal(PersonId, request.PersonUuid);
            Assert.Equal("2026-03-01", request.FromDate);
            Assert.Equal("2026-03-31", request.ToDate);
        });
        Assert.All(Gateway.Authorizations, header => Assert.Equal("Bearer " + Token, header));
    }

    [Fact]
    public void Choosing_a_day_shows_its_result_and_its_punches_in_time_order()
    {
        SignIn("employee");
        ArrangeMonth();
        var page = RenderAt<MyMonth>("my-month?month=2026-03");
        page.WaitForElement("[data-testid=day-2026-03-03]");

        page.Find("[data-testid=day-2026-03-03]").Click();

        // The click is dispatched to the renderer, which may be busy with the month's watch: wait for its render.
        page.WaitForAssertion(() => Assert.Equal("Exception", page.Find("[data-testid=detail-status]").TextContent));
        var punches = page.FindAll("[data-testid=day-punches] li").Select(item => item.TextContent).ToList();
        Assert.Equal(2, punches.Count);
        Assert.StartsWith("09:17", punches[0].Trim());
        Assert.Contains("WeCom", punches[0]);
        Assert.StartsWith("18:00", punches[1].Trim());
    }

    [Fact]
    public void The_current_month_opens_on_today_in_Shanghai()
    {
        SignIn("employee");
        var page = Render<MyMonth>();
        page.WaitForElement("[data-testid=day-detail]");
        Assert.Equal("2026-03", page.Find("[data-testid=month-label]").TextContent);
        Assert.Equal("2026-03-18", page.Find("[data-testid=day-detail] h2").TextContent);
        Assert.Contains("No results or punches", page.Find("[data-testid=empty-state]").TextContent);
    }

    [Fact]
    public void A_refusal_shows_its_stable_code_with_an_explanation_and_no_calendar()
    {
        SignIn("employee");
        ArrangeMonth();
        Gateway.Results.Refuse = FakeGateway.Refusal(StatusCode.PermissionDenied, "GATEWAY_FORBIDDEN", "employee may only read their own person");

        var page = RenderAt<MyMonth>("my-month?month=2026-03");

        page.WaitForAssertion(() => Assert.Equal("GATEWAY_FORBIDDEN", page.Find("[data-testid=problem-code]").TextContent));
        Assert.Contains("Your role may not do this", page.Find("[data-testid=problem]").TextContent);
        Assert.Empty(page.FindAll(".calendar"));
    }

    [Fact]
    public void An_account_without_a_person_reads_nothing()
    {
        SignIn("employee", personId: null);

        var page = Render<MyMonth>();

        page.WaitForAssertion(() => Assert.Contains("not linked to a person", page.Find("[data-testid=empty-state]").TextContent));
        Assert.Empty(Gateway.Results.ListRequests);
    }
}
