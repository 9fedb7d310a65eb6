namespace HrmsAttendance.Hosting;

/// <summary>The states a resource goes through (Aspire's names where Aspire has one).</summary>
public static class KnownResourceStates
{
    public const string NotStarted = "NotStarted";
    /// <summary>Waiting for what it depends on.</summary>
    public const string Waiting = "Waiting";
    public const string Starting = "Starting";
    /// <summary>Ready: a server accepts logins, a project's /health answered 200.</summary>
    public const string Running = "Running";
    /// <summary>A project that exited on its own, waiting out its back-off or starting again.</summary>
    public const string Restarting = "Restarting";
    public const string FailedToStart = "FailedToStart";
    /// <summary>A server process that exited on its own (servers are not restarted).</summary>
    public const string Exited = "Exited";
    public const string Stopping = "Stopping";
    public const string Stopped = "Stopped";
}

public static class KnownHealthStates
{
    public const string Unknown = "Unknown";
    public const string Healthy = "Healthy";
    public const string Unhealthy = "Unhealthy";
}

/// <summary>A named address of a resource, e.g. ("grpc", "http://127.0.0.1:40123").</summary>
public sealed record ResourceEndpoint(string Name, string Url);

/// <summary>A resource as it is right now.</summary>
/// <param name="Message">Why it failed, or what it is doing ("building", "migrating", "restarting in 2 s").</param>
public sealed record ResourceStatus(
    string Name,
    string Type,
    string State,
    string Health,
    IReadOnlyList<ResourceEndpoint> Endpoints,
    int? ProcessId,
    int Restarts,
    DateTimeOffset? StartedAt,
    int? ExitCode,
    string? Message)
{
    public bool IsRunningAndHealthy => State == KnownResourceStates.Running && Health == KnownHealthStates.Healthy;
}
