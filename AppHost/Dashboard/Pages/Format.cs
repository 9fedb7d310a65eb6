using System.Globalization;
using System.Text.RegularExpressions;

namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>Durations, times and console text as the pages show them.</summary>
internal static partial class Format
{
    public static string Duration(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        <= 0 => "0 ms",
        < 1 => $"{duration.TotalMicroseconds.ToString("0", CultureInfo.InvariantCulture)} µs",
        < 100 => $"{duration.TotalMilliseconds.ToString("0.##", CultureInfo.InvariantCulture)} ms",
        < 1_000 => $"{duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms",
        < 60_000 => $"{duration.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s",
        _ => $"{(int)duration.TotalMinutes}m {duration.Seconds}s",
    };

    /// <summary>Local wall-clock time: the dashboard and its reader share the laptop.</summary>
    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Since(DateTimeOffset time, DateTimeOffset now)
    {
        var age = now - time;
        return age.TotalSeconds switch
        {
            < 0 => "just now",
            < 60 => $"{(int)age.TotalSeconds}s ago",
            < 3_600 => $"{(int)age.TotalMinutes}m ago",
            < 86_400 => $"{(int)age.TotalHours}h {age.Minutes}m ago",
            _ => $"{(int)age.TotalDays}d ago",
        };
    }

    /// <summary>Percentages for inline styles, invariant culture, two decimals.</summary>
    public static string Percent(double value) => Math.Clamp(value, 0, 100).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Console output often carries ANSI colour codes; a web page shows them as noise.</summary>
    public static string StripAnsi(string text) => AnsiEscape().Replace(text, "");

    [GeneratedRegex(@"\x1B\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex AnsiEscape();
}
