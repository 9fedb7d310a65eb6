namespace HrmsAttendance.AppHost.Dashboard;

/// <summary>
/// What the dashboard reads from the running topology. The launcher implements it; the
/// dashboard never changes a resource.
/// </summary>
public interface IResourceView
{
    IReadOnlyList<ResourceSnapshot> GetResources();

    /// <summary>The newest console lines of one resource (bounded), optionally filtered by a case-insensitive search.</summary>
    IReadOnlyList<LogLine> GetLogs(string resourceName, string? search, int max);
}

/// <param name="Type">e.g. "postgres", "redis", "rabbitmq", "project".</param>
/// <param name="State">e.g. "Starting", "Running", "Unhealthy", "Restarting", "Exited", "Stopped".</param>
/// <param name="Health">"Healthy", "Unhealthy" or "Unknown".</param>
public sealed record ResourceSnapshot(
    string Name, string Type, string State, string Health, IReadOnlyList<string> Endpoints,
    int? ProcessId, int Restarts, DateTimeOffset? StartedAt);

/// <param name="Stream">"stdout" or "stderr".</param>
public sealed record LogLine(DateTimeOffset Timestamp, string Stream, string Text);
