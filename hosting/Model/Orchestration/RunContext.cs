using System.Collections.Concurrent;

namespace HrmsAttendance.Hosting.Orchestration;

/// <summary>What every runner of one application run shares.</summary>
internal sealed class RunContext(
    DistributedApplicationModel model,
    DistributedApplicationOptions options,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    DistributedApplicationContext lifecycle)
{
    private readonly ConcurrentDictionary<Resource, ResourceRunner> _runners = new();

    public DistributedApplicationModel Model { get; } = model;
    public DistributedApplicationOptions Options { get; } = options;
    public ResourceNotificationService Notifications { get; } = notifications;
    public ResourceLoggerService Logs { get; } = logs;
    public ResourceValueStore Values { get; } = new();
    public DistributedApplicationContext Lifecycle { get; } = lifecycle;

    /// <summary>Set by the orchestrator before projects start; null with --no-build.</summary>
    public ProjectBuild? Build { get; set; }

    /// <summary>A line on the AppHost's console (progress, restarts, failures).</summary>
    public void Print(string line)
    {
        try
        {
            Options.Output(line);
        }
        catch
        {
            // The console is best effort (a closed pipe must not stop the application).
        }
    }

    public string DataDirectoryFor(Resource resource) => Path.Combine(Options.DataDirectory, resource.Name);

    public void Register(ResourceRunner runner) => _runners[runner.Resource] = runner;

    public T RunnerOf<T>(Resource resource) where T : ResourceRunner => (T)_runners[resource];
}

/// <summary>Connection strings and endpoints as they get allocated.</summary>
internal sealed class ResourceValueStore : IResourceValues
{
    private readonly ConcurrentDictionary<(string Resource, string Role), string> _connectionStrings = new();
    private readonly ConcurrentDictionary<(string Resource, string Endpoint), Uri> _endpoints = new();

    private const string DefaultRole = "";

    public void SetConnectionString(Resource resource, string? role, string connectionString) =>
        _connectionStrings[(resource.Name, role ?? DefaultRole)] = connectionString;

    public void SetEndpoint(Resource resource, string endpointName, Uri uri) => _endpoints[(resource.Name, endpointName)] = uri;

    public string GetConnectionString(Resource resource, string? role = null) =>
        _connectionStrings.TryGetValue((resource.Name, role ?? DefaultRole), out var value)
            ? value
            : throw new DistributedApplicationException(role is null
                ? $"{resource} has no connection string yet: it has not started."
                : $"{resource} has no connection string for role '{role}' (not started yet, or no project references it with that role).");

    public Uri GetEndpoint(ProjectResource project, string endpointName) => GetEndpoint(project.Name, endpointName);

    public Uri GetEndpoint(string resourceName, string endpointName) =>
        _endpoints.TryGetValue((resourceName, endpointName), out var uri)
            ? uri
            : throw new DistributedApplicationException($"'{resourceName}' has no endpoint '{endpointName}' (or the application has not started).");
}
