namespace HrmsAttendance.Hosting.Processes;

internal static class OutputTail
{
    /// <summary>The last lines of a process's output, formatted to be appended to an exception message.</summary>
    public static string FormatTail(this IReadOnlyList<string> lines, int maxLines = 30)
    {
        if (lines.Count == 0)
        {
            return " It wrote no output.";
        }
        var tail = lines.Skip(Math.Max(0, lines.Count - maxLines));
        return $" Last output lines:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", tail)}";
    }
}
