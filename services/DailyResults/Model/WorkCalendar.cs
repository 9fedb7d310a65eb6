namespace HrmsAttendance.DailyResults.Model;

/// <summary>Work dates are Asia/Shanghai local dates (seed 004 §3.2), as in the punch ledger's WorkCalendar.</summary>
public static class WorkCalendar
{
    public static readonly TimeZoneInfo Zone = FindZone();

    public static DateOnly LocalDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

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
