using HrmsAttendance.AppHost.Dashboard;
using HrmsAttendance.Hosting;

namespace HrmsAttendance.AppHost;

/// <summary>The dashboard's view of the orchestrator: resource states and console logs, read-only.</summary>
internal sealed class DashboardResourceView(ResourceNotificationService notifications, ResourceLoggerService logs) : IResourceView
{
    public IReadOnlyList<ResourceSnapshot> GetResources() =>
        [.. notifications.GetAll().Select(s => new ResourceSnapshot(
            s.Name, s.Type, s.State, s.Health, [.. s.Endpoints.Select(e => e.Url)], s.ProcessId, s.Restarts, s.StartedAt))];

    public IReadOnlyList<LogLine> GetLogs(string resourceName, string? search, int max) =>
        [.. logs.GetLogs(resourceName, search, max).Select(l => new LogLine(l.Timestamp, l.IsError ? "stderr" : "stdout", l.Text))];
}
