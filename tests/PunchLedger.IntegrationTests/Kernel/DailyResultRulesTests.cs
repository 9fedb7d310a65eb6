using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>The STANDARD_SHIFT_V1 rules (seed 004 §6.2, §9.2) and the RAW rule, case by case, through the single door.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DailyResultRulesTests(PostgresFixture fixture)
{
    private static readonly DateOnly D = new(2026, 1, 5);

    private async Task<(Guid Tenant, Guid Person)> PunchAsync(params (string Type, DateTimeOffset Time)[] punches)
    {
        var tenant = PostgresFixture.NewTenant();
        var person = await fixture.NewPersonAsync(tenant);
        foreach (var (type, time) in punches)
            await fixture.SubmitCommittedAsync(tenant, new Punch(person, time, type));
        return (tenant, person);
    }

    private async Task<DailyResult> ResultAsync(Guid tenant, Guid person, DateOnly day)
    {
        var result = (await fixture.ReadResultsAsync(tenant, person)).SingleOrDefault(r => r.Values.WorkDate == day);
        Assert.True(result is not null, $"no result for {day}");
        return result;
    }

    private static void AssertResult(DailyResult actual, string status, string flags, int worked = 0, int late = 0, int early = 0,
        DateTimeOffset? firstIn = null, DateTimeOffset? lastOut = null, int? punchCount = null)
    {
        var v = actual.Values;
        Assert.Equal((status, flags, worked, late, early), (v.Status, v.Flags, v.WorkedMinutes, v.LateMinutes, v.EarlyLeaveMinutes));
        Assert.Equal(firstIn?.UtcDateTime, v.FirstIn);
        Assert.Equal(lastOut?.UtcDateTime, v.LastOut);
        Assert.Equal("STANDARD_SHIFT_V1", v.RulesetVersion);
        if (punchCount is not null) Assert.Equal(punchCount, v.PunchCount);
    }

    [Fact]
    public async Task Cross_day_out_counts_for_the_day_of_the_in()
    {
        var (tenant, person) = await PunchAsync(("IN", At(D, 9)), ("OUT", At(D.AddDays(1), 2)));

        AssertResult(await ResultAsync(tenant, person, D), "PRESENT", "{}", worked: 1020,
            firstIn: At(D, 9), lastOut: At(D.AddDays(1), 2), punchCount: 2);
        // D+1's window starts at 03:00, so the 02:00 OUT is not D+1's; the day before D has no punch at all.
        AssertResult(await ResultAsync(tenant, person, D.AddDays(1)), "ABSENT", "{ABSENT}", punchCount: 0);
        AssertResult(await ResultAsync(tenant, person, D.AddDays(-1)), "ABSENT", "{ABSENT}", punchCount: 0);
    }

    [Fact]
    public async Task Only_in_is_missing_out()
    {
        var (tenant, person) = await PunchAsync(("IN", At(D, 8, 58)));
        AssertResult(await ResultAsync(tenant, person, D), "EXCEPTION", "{MISSING_OUT}", firstIn: At(D, 8, 58));
    }

    [Fact]
    public async Task Only_out_is_missing_in_and_not_a_last_out()
    {
        var (tenant, person) = await PunchAsync(("OUT", At(D, 18, 2)));
        // An unpaired OUT is no last_out, so it cannot be an early leave either.
        AssertResult(await ResultAsync(tenant, person, D), "EXCEPTION", "{MISSING_IN}", punchCount: 1);
    }

    [Fact]
    public async Task Consecutive_in_restarts_from_the_latest_in()
    {
        var (tenant, person) = await PunchAsync(("IN", At(D, 9)), ("IN", At(D, 10)), ("OUT", At(D, 18)));
        AssertResult(await ResultAsync(tenant, person, D), "EXCEPTION", "{MISSING_OUT}", worked: 480,
            firstIn: At(D, 9), lastOut: At(D, 18));
    }

    [Fact]
    public async Task Consecutive_out_is_missing_in_and_keeps_the_paired_out()
    {
        var (tenant, person) = await PunchAsync(("IN", At(D, 9)), ("OUT", At(D, 12)), ("OUT", At(D, 18)));
        AssertResult(await ResultAsync(tenant, person, D), "EXCEPTION", "{EARLY_LEAVE,MISSING_IN}", worked: 180,
            early: 355, firstIn: At(D, 9), lastOut: At(D, 12));
    }

    [Theory]
    [InlineData(9, 5, 0, 0, 0)]          // exactly 5 minutes: within tolerance
    [InlineData(9, 5, 59, 999_999, 0)]   // 5.99… minutes floors to 5
    [InlineData(9, 6, 0, 0, 1)]          // 6 minutes: 1 minute late
    [InlineData(8, 0, 0, 0, 0)]          // early arrival is no credit and no flag
    [InlineData(10, 0, 0, 0, 55)]
    public async Task Late_tolerance_boundary(int hour, int minute, int second, int microsecond, int expectedLate)
    {
        var firstIn = At(D, hour, minute, second, microsecond);
        var (tenant, person) = await PunchAsync(("IN", firstIn), ("OUT", At(D, 18)));
        var result = await ResultAsync(tenant, person, D);
        Assert.Equal(expectedLate, result.Values.LateMinutes);
        Assert.Equal(expectedLate > 0 ? "EXCEPTION" : "PRESENT", result.Status);
        Assert.Equal(expectedLate > 0 ? "{LATE}" : "{}", result.Flags);
        Assert.Equal(firstIn.UtcDateTime, result.Values.FirstIn);
    }

    [Theory]
    [InlineData(17, 55, 0, 0, 0)]        // exactly 5 minutes early: within tolerance
    [InlineData(17, 54, 0, 1, 0)]        // 5.99… minutes floors to 5
    [InlineData(17, 54, 0, 0, 1)]        // 6 minutes: 1 minute early leave
    [InlineData(20, 0, 0, 0, 0)]         // overtime is no credit and no flag
    [InlineData(12, 0, 0, 0, 355)]
    public async Task Early_leave_tolerance_boundary(int hour, int minute, int second, int microsecond, int expectedEarly)
    {
        var lastOut = At(D, hour, minute, second, microsecond);
        var (tenant, person) = await PunchAsync(("IN", At(D, 9)), ("OUT", lastOut));
        var result = await ResultAsync(tenant, person, D);
        Assert.Equal(expectedEarly, result.Values.EarlyLeaveMinutes);
        Assert.Equal(expectedEarly > 0 ? "{EARLY_LEAVE}" : "{}", result.Flags);
        Assert.Equal(lastOut.UtcDateTime, result.Values.LastOut);
    }

    [Fact]
    public async Task Worked_minutes_are_floored_per_pair()
    {
        // 59.9 minutes, then 0.5 minutes, then 119.99… minutes: 59 + 0 + 119.
        var (tenant, person) = await PunchAsync(
            ("IN", At(D, 9)), ("OUT", At(D, 9, 59, 54)),
            ("IN", At(D, 12)), ("OUT", At(D, 12, 0, 30)),
            ("IN", At(D, 16)), ("OUT", At(D, 17, 59, 59, 999_999)));
        var result = await ResultAsync(tenant, person, D);
        Assert.Equal(178, result.Values.WorkedMinutes);
        Assert.Equal(0, result.Values.EarlyLeaveMinutes); // 17:59:59.999999 is 0.000… minutes early
        Assert.Equal("PRESENT", result.Status);
    }

    [Fact]
    public async Task A_day_without_punches_in_its_window_is_absent()
    {
        var (tenant, person) = await PunchAsync(("IN", At(D, 9)), ("OUT", At(D, 18)));
        var dayBefore = await ResultAsync(tenant, person, D.AddDays(-1));
        AssertResult(dayBefore, "ABSENT", "{ABSENT}", punchCount: 0);
        Assert.Null(dayBefore.Values.MaxEventId);
        Assert.Null(dayBefore.Values.MaxPunchTime);
    }

    [Fact]
    public async Task Window_edges_are_03_00_inclusive_and_06_00_next_day_exclusive()
    {
        var (tenant, person) = await PunchAsync(
            ("IN", At(D, 2, 59, 59, 999_999)),       // D-1's (its window ends at D 06:00), not D's
            ("IN", At(D, 3)),                        // first instant of D's window (and still D-1's)
            ("OUT", At(D.AddDays(1), 5, 59, 59, 999_999)), // last instant of D's window
            ("IN", At(D.AddDays(1), 6)));            // D+1's only
        var d = await ResultAsync(tenant, person, D);
        Assert.Equal(2, d.Values.PunchCount);
        Assert.Equal(At(D, 3).UtcDateTime, d.Values.FirstIn);
        Assert.Equal(At(D.AddDays(1), 5, 59, 59, 999_999).UtcDateTime, d.Values.MaxPunchTime);

        var dayBefore = await ResultAsync(tenant, person, D.AddDays(-1));
        Assert.Equal(2, dayBefore.Values.PunchCount); // 02:59:59.999999 and 03:00
        Assert.Equal("{LATE,MISSING_OUT}", dayBefore.Flags);

        var dayAfter = await ResultAsync(tenant, person, D.AddDays(1));
        Assert.Equal(2, dayAfter.Values.PunchCount); // 05:59:59.999999 (an OUT first: MISSING_IN) and 06:00
        Assert.Equal("{MISSING_IN,MISSING_OUT}", dayAfter.Flags);
    }

    [Fact]
    public async Task Ties_on_punch_time_are_ordered_by_event_id()
    {
        // Same instant: OUT recorded first, then IN. In (time, id) order the OUT comes first (MISSING_IN) and
        // the IN stays open (MISSING_OUT).
        var (tenant, person) = await PunchAsync(("OUT", At(D, 9)), ("IN", At(D, 9)));
        AssertResult(await ResultAsync(tenant, person, D), "EXCEPTION", "{MISSING_IN,MISSING_OUT}", firstIn: At(D, 9));
    }

    public static TheoryData<string, string, int> RawSequences => new()
    {
        // types at 08:55, 12:00, 13:00, 18:05 (as many as given) → expected flags, worked minutes
        { "RAW", "{MISSING_OUT}", 0 },                       // IN
        { "RAW RAW", "{EARLY_LEAVE}", 185 },                 // IN, OUT 12:00
        { "RAW RAW RAW", "{EARLY_LEAVE,MISSING_OUT}", 185 }, // IN, OUT, IN
        { "RAW RAW RAW RAW", "{}", 490 },                    // IN, OUT, IN, OUT: 185 + 305
        { "IN RAW RAW OUT", "{}", 490 },                     // a RAW after an IN is an OUT, then an IN
        { "IN IN RAW RAW", "{EARLY_LEAVE,MISSING_OUT}", 60 },  // IN, IN, OUT 13:00, IN
        { "OUT RAW RAW RAW", "{EARLY_LEAVE,LATE,MISSING_IN,MISSING_OUT}", 60 }, // OUT, then IN 12:00, OUT, IN
        { "RAW OUT RAW IN", "{EARLY_LEAVE,MISSING_OUT}", 185 }, // IN, OUT, IN, IN
        { "RAW IN RAW RAW", "{EARLY_LEAVE,MISSING_OUT}", 60 },  // IN, IN, OUT 13:00, IN
    };

    [Theory]
    [MemberData(nameof(RawSequences))]
    public async Task Raw_punches_take_the_direction_the_day_expects(string types, string expectedFlags, int expectedWorked)
    {
        DateTimeOffset[] times = [At(D, 8, 55), At(D, 12), At(D, 13), At(D, 18, 5)];
        var punches = types.Split(' ').Select((type, i) => (type, times[i])).ToArray();
        var (tenant, person) = await PunchAsync(punches);
        var result = await ResultAsync(tenant, person, D);

        // The independent reference decides; the inline expectations document a few cases by hand.
        await using var tx = await fixture.BeginAppAsync(tenant);
        var expected = ReferenceDailyResultCalculator.Compute(person, D, await tx.ReadEventsAsync());
        Assert.Equal(expected, result.Values);
        Assert.Equal((expectedFlags, expectedWorked), (result.Flags, result.Values.WorkedMinutes));
    }
}
