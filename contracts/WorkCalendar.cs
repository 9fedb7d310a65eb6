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

    /// <summary>
    /// The dates a request may name (from_date, to_date, work_date, month): 1900-01-01 to 9998-12-31. Punches are recorded
    /// from 2000 on, so every real query lies well inside; the margins keep the services' date arithmetic (the day after,
    /// the month after, the zone offset) away from the ends of what .NET and Postgres can represent.
    /// </summary>
    public static readonly DateOnly FirstRequestDate = new(1900, 1, 1);
    public static readonly DateOnly LastRequestDate = new(9998, 12, 31);

    /// <summary>YYYY-MM-DD exactly (no whitespace, no other calendar), any date; see <see cref="DateProblem"/> for the request rule.</summary>
    public static bool TryParseDate(string value, out DateOnly date) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out date);

    /// <summary>What is wrong with a request's date ("must be …", to follow the field's name), or null when it is a YYYY-MM-DD date in the allowed range.</summary>
    public static string? DateProblem(string value, out DateOnly date)
    {
        if (!TryParseDate(value, out date))
            return $"must be YYYY-MM-DD, got '{Shorten(value)}'";
        return date < FirstRequestDate || date > LastRequestDate
            ? $"must be between {FirstRequestDate:yyyy-MM-dd} and {LastRequestDate:yyyy-MM-dd}, got {date:yyyy-MM-dd}"
            : null;
    }

    /// <summary>What is wrong with a request's month ("must be …"), or null when it is a YYYY-MM month whose days all lie in the allowed range.</summary>
    public static string? MonthProblem(string value, out DateOnly first, out DateOnly last)
    {
        last = default;
        if (value.Length != 7 || !DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out first))
        {
            first = default;
            return $"must be YYYY-MM, got '{Shorten(value)}'";
        }
        if (first < FirstRequestDate || first > LastRequestDate)
            return $"must be between {FirstRequestDate:yyyy-MM} and {LastRequestDate:yyyy-MM}, got {value}";
        last = first.AddMonths(1).AddDays(-1);
        return null;
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    private static TimeZoneInfo FindZone()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"); }
        // China has kept UTC+8 without daylight saving since 1991; a machine without tzdata still computes right.
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "Asia/Shanghai", "CST"); }
    }
}
