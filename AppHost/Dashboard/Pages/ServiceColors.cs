using System.Collections.Concurrent;

namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>
/// One colour per service, handed out in order of first sight, so a service keeps its colour on
/// every page for the life of the dashboard and the first dozen services never share one. Red is
/// left out of the palette: it means error.
/// </summary>
internal sealed class ServiceColors
{
    private static readonly string[] Palette =
    [
        "#2563eb", "#7c3aed", "#0d9488", "#d97706", "#db2777", "#16a34a",
        "#0891b2", "#9333ea", "#65a30d", "#ea580c", "#4f46e5", "#0284c7",
    ];

    private readonly ConcurrentDictionary<string, string> _assigned = new(StringComparer.Ordinal);
    private int _next = -1;

    public string For(string serviceName) =>
        _assigned.GetOrAdd(serviceName, _ => Palette[(int)((uint)Interlocked.Increment(ref _next) % Palette.Length)]);
}
