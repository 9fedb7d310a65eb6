namespace HrmsAttendance.Hosting;

/// <summary>One console line of a resource.</summary>
/// <param name="IsError">Written to stderr (for servers: every line their launcher reports, which is mostly stderr).</param>
public sealed record ResourceLogLine(DateTimeOffset Timestamp, bool IsError, string Text);

/// <summary>
/// The console output of every resource, the newest <see cref="Capacity"/> lines each (Aspire's
/// ResourceLoggerService). Lines from the orchestrator itself (build, migrations, restarts) are included.
/// </summary>
public sealed class ResourceLoggerService
{
    public const int DefaultCapacity = 5_000;

    private readonly Dictionary<string, Queue<ResourceLogLine>> _lines = new(StringComparer.Ordinal);

    internal ResourceLoggerService(DistributedApplicationModel model, int capacity = DefaultCapacity)
    {
        Capacity = capacity;
        foreach (var resource in model.Resources)
            _lines[resource.Name] = new Queue<ResourceLogLine>();
    }

    public int Capacity { get; }

    /// <summary>Called with (resource, line) for every line added, e.g. to echo it.</summary>
    internal Action<string, ResourceLogLine>? Echo { get; set; }

    /// <summary>The newest <paramref name="max"/> lines, oldest first, optionally only those containing <paramref name="search"/> (any case).</summary>
    public IReadOnlyList<ResourceLogLine> GetLogs(string resourceName, string? search = null, int max = DefaultCapacity)
    {
        if (!_lines.TryGetValue(resourceName, out var queue)) return [];
        lock (queue)
        {
            IEnumerable<ResourceLogLine> lines = queue;
            if (!string.IsNullOrEmpty(search))
                lines = lines.Where(l => l.Text.Contains(search, StringComparison.OrdinalIgnoreCase));
            var all = lines.ToList();
            return all.Count <= max ? all : all.GetRange(all.Count - max, max);
        }
    }

    internal void Add(string resourceName, string text, bool isError = false)
    {
        var queue = _lines[resourceName];
        var line = new ResourceLogLine(DateTimeOffset.Now, isError, text);
        lock (queue)
        {
            if (queue.Count == Capacity) queue.Dequeue();
            queue.Enqueue(line);
        }
        try
        {
            Echo?.Invoke(resourceName, line);
        }
        catch
        {
            // Echoing is best effort.
        }
    }
}
