using System.Globalization;
using HrmsAttendance.Contracts;

namespace HrmsAttendance.DailyResults.Model;

/// <summary>Validation shared by gRPC and HTTP; every refusal is RESULTS_INVALID_ARGUMENT, its detail starting with the field's name.</summary>
public static class Inputs
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 1000;

    public static Guid Person(string? value) =>
        WireValues.TryParseCanonicalUuid(value, out var person) && person != Guid.Empty
            ? person
            : throw ResultsErrors.Invalid($"person_uuid must be a canonical UUID, got '{Shorten(value ?? "")}'");

    /// <summary>YYYY-MM-DD within <see cref="WorkCalendar.FirstRequestDate"/>..<see cref="WorkCalendar.LastRequestDate"/>.</summary>
    public static DateOnly Date(string name, string? value) =>
        WorkCalendar.DateProblem(value ?? "", out var date) is { } problem ? throw ResultsErrors.Invalid($"{name} {problem}") : date;

    /// <summary>from defaults to today (Asia/Shanghai), to defaults to from; to must not be before from.</summary>
    public static (DateOnly From, DateOnly To) Range(string? from, string? to, DateTimeOffset now)
    {
        var fromDate = string.IsNullOrEmpty(from) ? WorkCalendar.LocalDate(now) : Date("from_date", from);
        var toDate = string.IsNullOrEmpty(to) ? fromDate : Date("to_date", to);
        if (toDate < fromDate)
            throw ResultsErrors.Invalid($"to_date {toDate:yyyy-MM-dd} is before from_date {fromDate:yyyy-MM-dd}");
        return (fromDate, toDate);
    }

    public static int Limit(int value) => value switch
    {
        0 => DefaultLimit,
        < 0 or > MaxLimit => throw ResultsErrors.Invalid($"limit must be between 1 and {MaxLimit} (0 = {DefaultLimit}), got {value}"),
        _ => value,
    };

    public static int Limit(string? value) =>
        string.IsNullOrEmpty(value) ? DefaultLimit
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0 ? Limit(limit)
        : throw ResultsErrors.Invalid($"limit must be a whole number between 1 and {MaxLimit}, got '{Shorten(value)}'");

    /// <summary>YYYY-MM (within the request date range) → its first and last day.</summary>
    public static (DateOnly First, DateOnly Last) Month(string? value) =>
        WorkCalendar.MonthProblem(value ?? "", out var first, out var last) is { } problem
            ? throw ResultsErrors.Invalid("month " + problem)
            : (first, last);

    /// <summary>A watch's filter: person and both dates optional (empty = any); to must not be before from.</summary>
    public static Data.ChangeFilter Watch(string? person, string? from, string? to)
    {
        var filter = new Data.ChangeFilter(
            string.IsNullOrEmpty(person) ? null : Person(person),
            string.IsNullOrEmpty(from) ? null : Date("from_date", from),
            string.IsNullOrEmpty(to) ? null : Date("to_date", to));
        if (filter is { From: { } first, To: { } last } && last < first)
            throw ResultsErrors.Invalid($"to_date {last:yyyy-MM-dd} is before from_date {first:yyyy-MM-dd}");
        return filter;
    }

    /// <summary>A resume point: a change_sequence (0 or more).</summary>
    public static long ResumeAfter(string name, long value) =>
        value >= 0 ? value : throw ResultsErrors.Invalid($"{name} must be a change_sequence (0 or more), got {value}");

    public static long? ResumeAfter(string name, string? value) =>
        string.IsNullOrEmpty(value) ? null
        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence
        : throw ResultsErrors.Invalid($"{name} must be a change_sequence (0 or more), got '{Shorten(value)}'");

    public static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
