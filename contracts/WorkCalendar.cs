namespace HrmsAttendance.Contracts;

/// <summary>
/// Work dates are Asia/Shanghai local dates (seed 004 §3.2), written YYYY-MM-DD in every contract's work_date,
/// from_date and to_date. The kernel's SQL holds the same zone; this is the C# side the services share for request
/// validation and for naming the dates a punch affects.
/// </summary>
public static class WorkCalendar
{
    public static readonly TimeZoneInfo Zone = FindZone();

    public static DateOnly LocalDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>The first instant of a local date.</summary>
    public static DateTimeOffset StartOf(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>A punch can change its own local date and the day before (a late-night OUT closes the previous day).</summary>
    public static IReadOnlyList<DateOnly> AffectedWorkDates(DateTimeOffset punchTime)
    {
        var local = LocalDate(punchTime);
        return [local.AddDays(-1), local];
    }

    public static bool TryParseDate(string value, out DateOnly date) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out date);

    private static TimeZoneInfo FindZone()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"); }
        // China has kept UTC+8 without daylight saving since 1991; a machine without tzdata still computes right.
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "Asia/Shanghai", "CST"); }
    }
}
