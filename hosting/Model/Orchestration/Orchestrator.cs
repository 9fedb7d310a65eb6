using System.Diagnostics;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Orchestration;

/// <summary>
/// Runs a <see cref="DistributedApplicationModel"/>: prepares the data directory, runs the lifecycle hooks,
/// allocates project endpoints, builds the projects while the servers start (in parallel), starts every
/// resource once what it depends on is Running, probes health every second, and stops everything in reverse
/// dependency order (services first, then databases, then servers).
/// </summary>
internal sealed class Orchestrator
{
    public static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(1);

    private readonly RunContext _context;
    private readonly IReadOnlyList<IDistributedApplicationLifecycleHook> _hooks;
    private readonly Dictionary<Resource, ResourceRunner> _runners = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Resource, Task> _starts = new();
    private readonly CancellationTokenSource _lifetime = new();
    private Task _healthLoop = Task.CompletedTask;

    public Orchestrator(RunContext context, IReadOnlyList<IDistributedApplicationLifecycleHook> hooks)
    {
        _context = context;
        _hooks = hooks;
        foreach (var resource in context.Model.StartOrder)
        {
            var runner = resource.RunnerFactory?.Invoke(context)
                ?? throw new InvalidOperationException($"{resource} has no runner: add resources with the Add* methods.");
            _runners[resource] = runner;
            context.Register(runner);
        }
    }

    private DistributedApplicationModel Model => _context.Model;

    public async Task StartAsync(CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _lifetime.Token);
        var token = linked.Token;

        PrepareDataDirectory();
        foreach (var hook in _hooks)
            await hook.BeforeStartAsync(_context.Lifecycle, token);
        AllocateEndpoints();

        var projects = Model.Resources.OfType<ProjectResource>().ToList();
        if (!_context.Options.NoBuild && projects.Count > 0)
            _context.Build = ProjectBuild.Start(projects, _context, token);

        foreach (var resource in Model.StartOrder)
            _starts[resource] = StartOneAsync(resource, token);
        try
        {
            await Task.WhenAll(_starts.Values);
        }
        catch
        {
            // Each failure is already published and printed; summarised below.
        }
        token.ThrowIfCancellationRequested();

        _healthLoop = HealthLoopAsync(_lifetime.Token);
        StartupSummary.Print(_context, stopwatch.Elapsed);

        var failed = _context.Notifications.GetAll().Where(s => s.State == KnownResourceStates.FailedToStart).ToList();
        if (failed.Count > 0)
            throw new DistributedApplicationException(
                $"{failed.Count} of {Model.Resources.Count} resources failed to start: " +
                string.Join("; ", failed.Select(f => $"{f.Name}: {f.Message}")));
    }

    /// <summary>
    /// Cancels starts still under way, then stops each resource once everything that depends on it has stopped.
    /// Idempotent. Lifecycle hooks' AfterStopAsync run last.
    /// </summary>
    public async Task StopAsync()
    {
        if (_lifetime.IsCancellationRequested) { await _stopped.Task; return; }
        await _lifetime.CancelAsync();
        try
        {
            await _healthLoop;
            // Projects first (in parallel, each after the projects that depend on it); then the rest, each after
            // everything that depends on it and after every project: a server outlives every service.
            // Reverse start order puts every dependent before what it depends on.
            var stops = new Dictionary<Resource, Task>();
            IEnumerable<Resource> Dependents(Resource resource) => Model.Resources.Where(r =>
                r.Dependencies.Contains(resource) || (r is IResourceWithParent child && child.Parent == resource));
            foreach (var project in Model.StartOrder.Reverse().OfType<ProjectResource>())
                stops[project] = StopOneAsync(project, [.. Dependents(project).OfType<ProjectResource>().Select(d => stops[d])]);
            Task[] allProjects = [.. stops.Values];
            foreach (var resource in Model.StartOrder.Reverse().Where(r => r is not ProjectResource))
                stops[resource] = StopOneAsync(resource, [.. Dependents(resource).Where(d => d is not ProjectResource).Select(d => stops[d]), .. allProjects]);
            await Task.WhenAll(stops.Values);
            foreach (var hook in _hooks)
            {
                try
                {
                    await hook.AfterStopAsync(_context.Lifecycle);
                }
                catch (Exception e)
                {
                    _context.Print($"warning: a lifecycle hook failed while stopping: {e.Message}");
                }
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task StartOneAsync(Resource resource, CancellationToken ct)
    {
        var runner = _runners[resource];
        var dependencies = resource.Dependencies.Select(d => (Resource: d, Start: _starts[d])).ToList();
        if (dependencies.Count > 0)
        {
            Publish(resource, s => s with { State = KnownResourceStates.Waiting, Message = $"waiting for {string.Join(", ", dependencies.Select(d => d.Resource.Name))}" });
            try
            {
                await Task.WhenAll(dependencies.Select(d => d.Start)).WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Publish(resource, s => s with { State = KnownResourceStates.NotStarted, Message = null });
                throw;
            }
            catch
            {
                var failed = dependencies.Where(d => !d.Start.IsCompletedSuccessfully).Select(d => d.Resource.Name);
                Fail(resource, $"not started: {string.Join(", ", failed)} failed to start", print: false);
                throw;
            }
        }

        var started = Stopwatch.StartNew();
        Publish(resource, s => s with { State = KnownResourceStates.Starting, Message = null });
        try
        {
            await runner.StartAsync(ct);
            _context.Print($"{resource.Name}: running ({started.Elapsed.TotalSeconds:0.0} s)");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Publish(resource, s => s with { State = KnownResourceStates.Stopping, Message = "start cancelled" });
            throw;
        }
        catch (Exception e)
        {
            Fail(resource, e.Message, print: true);
            throw;
        }
    }

    private void Fail(Resource resource, string message, bool print)
    {
        Publish(resource, s => s with { State = KnownResourceStates.FailedToStart, Health = KnownHealthStates.Unhealthy, Message = message });
        _context.Logs.Add(resource.Name, $"failed to start: {message}", isError: true);
        if (print) _context.Print($"{resource.Name}: FAILED to start: {message}");
    }

    private async Task StopOneAsync(Resource resource, Task[] dependents)
    {
        await Task.WhenAll(dependents);
        if (_starts.TryGetValue(resource, out var start))
        {
            try
            {
                await start; // cancelled by now if it was still starting
            }
            catch
            {
                // reported when it happened
            }
        }
        var before = _context.Notifications.Get(resource.Name);
        if (before.State is KnownResourceStates.NotStarted) return;
        Publish(resource, s => s with { State = KnownResourceStates.Stopping });
        var stopping = Stopwatch.StartNew();
        try
        {
            await _runners[resource].StopAsync();
            if (before.ProcessId is not null || resource is ProjectResource)
                _context.Print($"{resource.Name}: stopped ({stopping.Elapsed.TotalSeconds:0.0} s)");
        }
        catch (Exception e)
        {
            _context.Print($"{resource.Name}: error while stopping: {e.Message}");
        }
        Publish(resource, s => s with
        {
            State = before.State == KnownResourceStates.FailedToStart ? KnownResourceStates.FailedToStart : KnownResourceStates.Stopped,
            Health = KnownHealthStates.Unknown,
            ProcessId = null,
        });
    }

    private async Task HealthLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HealthInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                foreach (var (resource, runner) in _runners)
                {
                    if (_context.Notifications.Get(resource.Name).State != KnownResourceStates.Running) continue;
                    (bool Healthy, string Detail) result;
                    try
                    {
                        result = await runner.CheckHealthAsync(ct);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e)
                    {
                        result = (false, e.Message);
                    }
                    Observe(resource, runner, result.Healthy, result.Detail);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Observe(Resource resource, ResourceRunner runner, bool healthy, string detail)
    {
        var health = healthy ? KnownHealthStates.Healthy : KnownHealthStates.Unhealthy;
        var probed = _context.Notifications.Get(resource.Name);
        // A server process that is gone is not coming back by itself (projects are restarted by their runner).
        var exited = !healthy && runner is ServerRunner && !ProcessProbe.IsAlive(probed.ProcessId ?? 0);
        if (probed.Health == health && !exited) return;
        var changed = false;
        Publish(resource, s =>
        {
            // Only if nothing else changed it meanwhile (e.g. a project's runner noticed the exit and is restarting it).
            if (s.State != KnownResourceStates.Running || s.ProcessId != probed.ProcessId) return s;
            changed = true;
            return s with
            {
                Health = health,
                State = exited ? KnownResourceStates.Exited : s.State,
                Message = healthy ? null : detail,
            };
        });
        if (!changed) return;
        _context.Logs.Add(resource.Name, $"health: {health}{(healthy ? "" : $" ({detail})")}", isError: !healthy);
        _context.Print($"{resource.Name}: {(exited ? "exited" : health)}{(healthy ? "" : $" ({detail})")}");
    }

    private void PrepareDataDirectory()
    {
        var root = _context.Options.DataDirectory;
        if (_context.Options.Fresh && Directory.Exists(root))
        {
            _context.Print($"--fresh: deleting {root}");
            Directory.Delete(root, recursive: true);
        }
        Directory.CreateDirectory(root);
        // Servers may run as another OS user (postgres runs as 'postgres' when we are root): they must be able
        // to traverse into their own subfolder. Each subfolder keeps its own contents private.
        File.SetUnixFileMode(root, File.GetUnixFileMode(root) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
    }

    /// <summary>
    /// Every project endpoint gets its port now, before anything starts, so that references can be resolved in any
    /// order, and keeps it across restarts.
    /// </summary>
    private void AllocateEndpoints()
    {
        var taken = Model.Resources.OfType<ProjectResource>().SelectMany(p => p.Endpoints).Select(e => e.Port).Where(p => p != 0).ToHashSet();
        int Pick()
        {
            while (true)
            {
                var port = LoopbackPort.PickFree();
                if (taken.Add(port)) return port;
            }
        }
        foreach (var project in Model.Resources.OfType<ProjectResource>())
        {
            var endpoints = new List<ResourceEndpoint>();
            foreach (var endpoint in project.Endpoints)
            {
                var uri = new Uri($"http://127.0.0.1:{(endpoint.Port != 0 ? endpoint.Port : Pick())}");
                _context.Values.SetEndpoint(project, endpoint.Name, uri);
                endpoints.Add(new ResourceEndpoint(endpoint.Name, uri.ToString().TrimEnd('/')));
            }
            Publish(project, s => s with { Endpoints = endpoints });
        }
    }

    private void Publish(Resource resource, Func<ResourceStatus, ResourceStatus> change) =>
        _context.Notifications.Update(resource.Name, change);
}
