using HrmsAttendance.AppHost.Dashboard;

namespace HrmsAttendance.AppHost.Tests.Support;

/// <summary>The launcher's side of the seam, in memory: tests set resources and append console lines.</summary>
public sealed class InMemoryResourceView : IResourceView
{
    private readonly Lock _gate = new();
    private readonly List<ResourceSnapshot> _resources = [];
    private readonly Dictionary<string, List<LogLine>> _logs = new(StringComparer.Ordinal);

    public void Set(ResourceSnapshot resource)
    {
        lock (_gate)
        {
            var index = _resources.FindIndex(r => r.Name == resource.Name);
            if (index >= 0) _resources[index] = resource;
            else _resources.Add(resource);
        }
    }

    public void Log(string resource, string stream, string text, DateTimeOffset? at = null)
    {
        lock (_gate)
        {
            if (!_logs.TryGetValue(resource, out var lines)) _logs[resource] = lines = [];
            lines.Add(new LogLine(at ?? DateTimeOffset.Now, stream, text));
        }
    }

    public IReadOnlyList<ResourceSnapshot> GetResources()
    {
        lock (_gate) return [.. _resources];
    }

    public IReadOnlyList<LogLine> GetLogs(string resourceName, string? search, int max)
    {
        lock (_gate)
        {
            if (!_logs.TryGetValue(resourceName, out var lines)) return [];
            return lines
                .Where(l => search is null || l.Text.Contains(search, StringComparison.OrdinalIgnoreCase))
                .TakeLast(max)
                .ToList();
        }
    }
}
