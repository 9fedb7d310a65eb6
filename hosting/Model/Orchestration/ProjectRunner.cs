using HrmsAttendance.Hosting.Processes;
using HrmsAttendance.Hosting.Services;

namespace HrmsAttendance.Hosting.Orchestration;

/// <summary>
/// Runs a service project: waits for the build, runs its migrations once, starts it on its allocated ports
/// until /health answers 200, then supervises it: when it exits on its own it is restarted on the same ports
/// after a back-off of 1 s, 2 s, 4 s, … up to 30 s (back to 1 s once it had run for a minute).
/// </summary>
internal sealed class ProjectRunner(ProjectResource resource, RunContext context) : ResourceRunner(resource, context)
{
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _stopping = new();
    private ServiceProcess? _current;
    private Task _supervisor = Task.CompletedTask;
    private string _assemblyPath = "";
    private IReadOnlyDictionary<string, string?> _environment = new Dictionary<string, string?>();
    private int _restarts;

    public override async Task StartAsync(CancellationToken ct)
    {
        if (Context.Build is { } build)
        {
            Publish(s => s with { Message = "building" });
            _assemblyPath = await build.WaitAsync(resource, ct);
        }
        else
        {
            _assemblyPath = ProjectBuild.ExistingAssembly(resource);
        }

        foreach (var migration in resource.Annotations.OfType<MigrationAnnotation>())
            await MigrateAsync(migration, ct);

        _environment = ResourceEnvironment.For(resource, Context.Values, Context.Lifecycle.OtlpEndpoint, Context.Options);
        Publish(s => s with { Message = "waiting for /health" });
        _current = await StartProcessAsync(ct);
        PublishRunning(_current);
        _supervisor = SuperviseAsync(_stopping.Token);
    }

    public override Task<(bool Healthy, string Detail)> CheckHealthAsync(CancellationToken ct) =>
        _current is { } service ? service.CheckHealthAsync(ct) : Task.FromResult((false, "not running"));

    public override async Task StopAsync()
    {
        await _stopping.CancelAsync();
        await _supervisor; // never throws: it ends on cancellation
        if (_current is { } service) await service.DisposeAsync();
    }

    private async Task MigrateAsync(MigrationAnnotation migration, CancellationToken ct)
    {
        var command = $"dotnet {Path.GetFileName(_assemblyPath)} {string.Join(' ', migration.Arguments)}";
        Publish(s => s with { Message = $"migrating {migration.Database.Name}" });
        Log($"{command} (as {migration.Database.OwnerRole})");
        try
        {
            await ChildProcess.RunToCompletionAsync(new ChildProcessOptions
            {
                Name = $"{Name} {string.Join(' ', migration.Arguments)}",
                FileName = "dotnet",
                Arguments = [_assemblyPath, .. migration.Arguments],
                Environment = ResourceEnvironment.ForMigration(migration, Context.Values),
                WorkingDirectory = Path.GetDirectoryName(_assemblyPath)!,
                Output = Log,
                ErrorOutput = LogError,
            }, ct);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"`{command}` failed: {e.Message}", e);
        }
    }

    private Task<ServiceProcess> StartProcessAsync(CancellationToken ct) =>
        ServiceProcess.StartAsync(new ServiceProcessOptions
        {
            Name = Name,
            AssemblyPath = _assemblyPath,
            Environment = _environment,
            HasGrpcEndpoint = resource.HasGrpcEndpoint,
            HttpPort = Context.Values.GetEndpoint(resource, ProjectResource.HttpEndpointName).Port,
            GrpcPort = resource.HasGrpcEndpoint ? Context.Values.GetEndpoint(resource, ProjectResource.GrpcEndpointName).Port : 0,
            Output = Log,
            ErrorOutput = LogError,
        }, ct);

    private void PublishRunning(ServiceProcess service) =>
        Publish(s => s with
        {
            State = KnownResourceStates.Running,
            Health = KnownHealthStates.Healthy,
            ProcessId = service.Process.Pid,
            StartedAt = DateTimeOffset.Now,
            ExitCode = null,
            Message = null,
        });

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var backoff = InitialBackoff;
        var startedAt = DateTimeOffset.Now;
        while (!stopping.IsCancellationRequested)
        {
            var service = _current!;
            int? exitCode;
            try
            {
                exitCode = await service.Process.Exited.WaitAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await service.DisposeAsync(); // it has exited: this only releases it
            if (DateTimeOffset.Now - startedAt >= StableAfter) backoff = InitialBackoff;
            var reason = $"exited with code {exitCode}";

            // Retry until a start succeeds or we are stopped.
            while (true)
            {
                var restart = Interlocked.Increment(ref _restarts);
                Publish(s => s with
                {
                    State = KnownResourceStates.Restarting,
                    Health = KnownHealthStates.Unhealthy,
                    ProcessId = null,
                    Restarts = restart,
                    ExitCode = exitCode,
                    Message = $"{reason}; restart {restart} in {backoff.TotalSeconds:0} s",
                });
                LogError($"{reason}; restarting in {backoff.TotalSeconds:0} s (restart {restart})");
                Context.Print($"{Name}: {reason}; restarting in {backoff.TotalSeconds:0} s (restart {restart})");
                try
                {
                    await Task.Delay(backoff, stopping);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    var started = await StartProcessAsync(stopping);
                    _current = started;
                    startedAt = DateTimeOffset.Now;
                    PublishRunning(started);
                    Context.Print($"{Name}: running again (pid {started.Process.Pid})");
                    break;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    reason = $"failed to restart ({FirstLine(e.Message)})";
                    exitCode = null;
                }
            }
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
