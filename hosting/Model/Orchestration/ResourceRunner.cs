namespace HrmsAttendance.Hosting.Orchestration;

/// <summary>Runs one resource: start it until it is ready, probe its health, stop it.</summary>
internal abstract class ResourceRunner(Resource resource, RunContext context)
{
    public Resource Resource { get; } = resource;

    protected RunContext Context { get; } = context;

    protected string Name => Resource.Name;

    /// <summary>Returns once the resource is Running (and publishes that); throws if it cannot start.</summary>
    public abstract Task StartAsync(CancellationToken ct);

    /// <summary>Called about every second while the resource is Running.</summary>
    public abstract Task<(bool Healthy, string Detail)> CheckHealthAsync(CancellationToken ct);

    /// <summary>Stops whatever was started (also half-started). Idempotent; must not throw.</summary>
    public abstract Task StopAsync();

    protected ResourceStatus Publish(Func<ResourceStatus, ResourceStatus> change) => Context.Notifications.Update(Name, change);

    protected void Log(string line) => Context.Logs.Add(Name, line);

    protected void LogError(string line) => Context.Logs.Add(Name, line, isError: true);
}

/// <summary>A server run by one of the hosting/ launchers: health is "process alive and port listening".</summary>
internal abstract class ServerRunner(Resource resource, RunContext context) : ResourceRunner(resource, context)
{
    protected int ProcessId { get; set; }

    protected int Port { get; set; }

    public override Task<(bool Healthy, string Detail)> CheckHealthAsync(CancellationToken ct)
    {
        if (!ProcessProbe.IsAlive(ProcessId))
            return Task.FromResult((false, $"the process {ProcessId} is gone"));
        if (!ProcessProbe.IsListening(Port))
            return Task.FromResult((false, $"nothing listens on 127.0.0.1:{Port}"));
        return Task.FromResult((true, "process alive, port listening"));
    }

    /// <summary>The launcher's progress lines and the server's own output. apt-get's are also shown on the console.</summary>
    protected void LogServerLine(string line)
    {
        Log(line);
        if (line.StartsWith("apt-get", StringComparison.Ordinal) || line.Contains("installing the Debian package", StringComparison.Ordinal))
            Context.Print($"{Name}: {line}");
    }

    protected void PublishRunning(int pid, int port, string scheme) =>
        Publish(s => s with
        {
            State = KnownResourceStates.Running,
            Health = KnownHealthStates.Healthy,
            ProcessId = pid,
            StartedAt = DateTimeOffset.Now,
            Endpoints = [new ResourceEndpoint(scheme, $"{scheme}://127.0.0.1:{port}")],
            Message = null,
        });
}
