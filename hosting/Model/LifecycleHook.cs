namespace HrmsAttendance.Hosting;

/// <summary>
/// Code that runs around the application's life, like Aspire's lifecycle hooks: the AppHost's dashboard
/// starts in <see cref="BeforeStartAsync"/> (before any resource, so that services get its OTLP endpoint)
/// and stops in <see cref="AfterStopAsync"/>.
/// </summary>
public interface IDistributedApplicationLifecycleHook
{
    Task BeforeStartAsync(DistributedApplicationContext context, CancellationToken ct) => Task.CompletedTask;

    /// <summary>After every resource stopped; also when starting failed. Must not throw.</summary>
    Task AfterStopAsync(DistributedApplicationContext context) => Task.CompletedTask;
}

/// <summary>What a lifecycle hook sees and may set.</summary>
public sealed class DistributedApplicationContext
{
    private readonly List<(string Label, Uri Url)> _urls = [];

    internal DistributedApplicationContext(DistributedApplicationModel model, DistributedApplicationOptions options,
        ResourceNotificationService notifications, ResourceLoggerService logs)
    {
        Model = model;
        Options = options;
        ResourceNotifications = notifications;
        ResourceLogs = logs;
        OtlpEndpoint = options.OtlpEndpoint;
    }

    public DistributedApplicationModel Model { get; }

    public DistributedApplicationOptions Options { get; }

    public ResourceNotificationService ResourceNotifications { get; }

    public ResourceLoggerService ResourceLogs { get; }

    /// <summary>
    /// Where services export OTLP (OTEL_EXPORTER_OTLP_ENDPOINT), or null for no export. Starts as
    /// <see cref="DistributedApplicationOptions.OtlpEndpoint"/>; the dashboard sets its own when that is null.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Printed under the start-up table, e.g. ("Dashboard", http://127.0.0.1:18888/).</summary>
    public IReadOnlyList<(string Label, Uri Url)> Urls { get { lock (_urls) return [.. _urls]; } }

    public void AddUrl(string label, Uri url)
    {
        lock (_urls) _urls.Add((label, url));
    }
}
