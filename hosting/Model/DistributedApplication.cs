using System.Runtime.InteropServices;
using HrmsAttendance.Hosting.Orchestration;
using HrmsAttendance.Hosting.Processes;
using HrmsAttendance.Hosting.Testing;

namespace HrmsAttendance.Hosting;

/// <summary>
/// A built application, in the shape of Aspire's: <c>DistributedApplication.CreateBuilder(args)</c>, then
/// <c>builder.Build().RunAsync()</c> (the AppHost), or <see cref="StartAsync"/> / <see cref="DisposeAsync"/>
/// (tests, through <see cref="DistributedApplicationTestingBuilder"/>).
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly Orchestrator _orchestrator;
    private readonly RunContext _context;
    private readonly IReadOnlyList<IDistributedApplicationLifecycleHook> _hooks;
    private readonly Lock _gate = new();
    private Task? _start;
    private Task? _stop;

    internal DistributedApplication(DistributedApplicationModel model, DistributedApplicationOptions options, IReadOnlyList<IDistributedApplicationLifecycleHook> hooks)
    {
        Model = model;
        Options = options;
        _hooks = hooks;
        ResourceNotifications = new ResourceNotificationService(model);
        ResourceLogs = new ResourceLoggerService(model);
        if (options.EchoResourceLogs)
            ResourceLogs.Echo = (resource, line) => options.Output($"[{resource}] {line.Text}");
        var lifecycle = new DistributedApplicationContext(model, options, ResourceNotifications, ResourceLogs);
        _context = new RunContext(model, options, ResourceNotifications, ResourceLogs, lifecycle);
        _orchestrator = new Orchestrator(_context, hooks);
    }

    /// <summary>Parses the AppHost's options from <paramref name="args"/> (see <see cref="DistributedApplicationOptions"/>).</summary>
    public static IDistributedApplicationBuilder CreateBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        DistributedApplicationOptions options;
        try
        {
            options = DistributedApplicationOptions.Parse(args);
        }
        catch (ArgumentException e) when (TestingHook.Current is null)
        {
            // The AppHost's Program.cs goes on describing the topology; RunAsync then reports this and exits 2.
            options = new DistributedApplicationOptions { CommandLineError = e.Message };
        }
        TestingHook.Current?.ConfigureOptions?.Invoke(options);
        return new DistributedApplicationBuilder(args, options);
    }

    public DistributedApplicationModel Model { get; }

    public DistributedApplicationOptions Options { get; }

    public ResourceNotificationService ResourceNotifications { get; }

    public ResourceLoggerService ResourceLogs { get; }

    /// <summary>Where services export telemetry once started (the dashboard's OTLP endpoint, or the outside one).</summary>
    public string? OtlpEndpoint => _context.Lifecycle.OtlpEndpoint;

    /// <summary>Dashboard URL and the like, as printed under the start-up table.</summary>
    public IReadOnlyList<(string Label, Uri Url)> Urls => _context.Lifecycle.Urls;

    /// <summary>
    /// Starts every resource and returns once all are Running. Throws <see cref="DistributedApplicationException"/>
    /// naming the ones that failed (the others keep running until <see cref="StopAsync"/>).
    /// </summary>
    public Task StartAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_stop is not null) throw new InvalidOperationException("The application was stopped; build a new one.");
            return _start ??= _orchestrator.StartAsync(ct);
        }
    }

    /// <summary>Stops services first, then databases, then servers; then the dashboard. Idempotent.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            return _stop ??= _orchestrator.StopAsync();
        }
    }

    /// <summary>
    /// The AppHost's main loop: start, print the table, run until Ctrl+C / SIGTERM / SIGHUP, then stop everything
    /// in order. Under <see cref="DistributedApplicationTestingBuilder"/> it hands this application to the test
    /// and returns at once instead.
    /// </summary>
    public async Task RunAsync(CancellationToken ct = default)
    {
        if (TestingHook.Current is { } testing && testing.TryHandOver(this))
            return;
        if (Options.CommandLineError is { } error)
        {
            Console.Error.WriteLine($"AppHost: {error}");
            Environment.ExitCode = 2;
            return;
        }
        if (Options.ShowHelp)
        {
            Options.Output(DistributedApplicationOptions.Usage);
            return;
        }

        // We stop the children ourselves, in order: the registry must not forward signals to them all at once,
        // and a terminal's Ctrl+C must reach only us (children start in their own session).
        using var hostSignals = ChildProcessRegistry.HandleSignalsInHost();
        var shutdown = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var startCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var signalCount = 0;
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true; // we exit by returning from Main, after stopping everything
            if (Interlocked.Increment(ref signalCount) == 1)
            {
                shutdown.TrySetResult(signal.Signal.ToString());
                try
                {
                    startCancel.Cancel(); // a start still under way is abandoned
                }
                catch (ObjectDisposedException)
                {
                }
            }
            else
            {
                _context.Print($"{signal.Signal}: already stopping (each stop is bounded by its timeout, then killed).");
            }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

        try
        {
            await StartAsync(startCancel.Token);
            _context.Print("Press Ctrl+C to shut down.");
        }
        catch (OperationCanceledException) when (startCancel.IsCancellationRequested)
        {
        }
        catch (DistributedApplicationException)
        {
            _context.Print("The other resources keep running; see their console logs in the dashboard. Press Ctrl+C to shut down.");
        }
        catch (Exception e)
        {
            _context.Print($"AppHost: {e.Message}");
            Environment.ExitCode = 1;
            await StopAsync();
            return;
        }

        try
        {
            await shutdown.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
        }
        _context.Print($"{(shutdown.Task.IsCompleted ? shutdown.Task.Result : "Shutdown")}: stopping services, then servers …");
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await StopAsync();
        _context.Print($"Stopped in {stopping.Elapsed.TotalSeconds:0.0} s.");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var action in DisposeActions)
        {
            try
            {
                action();
            }
            catch
            {
                // cleanup is best effort
            }
        }
    }

    /// <summary>Run after the application stopped (e.g. the testing builder deletes its temporary data directory).</summary>
    internal List<Action> DisposeActions { get; } = [];

    /// <summary>The current state of a resource: state, health, pid, restarts, endpoints.</summary>
    public ResourceStatus GetResource(string name) => ResourceNotifications.Get(name);

    public Task<ResourceStatus> WaitForResourceAsync(string name, string state, CancellationToken ct = default) =>
        ResourceNotifications.WaitForResourceAsync(name, state, ct);

    /// <summary>Completes with the first status of <paramref name="name"/> that matches (throws if it failed to start instead).</summary>
    public Task<ResourceStatus> WaitForResourceAsync(string name, Func<ResourceStatus, bool> match, CancellationToken ct = default) =>
        ResourceNotifications.WaitForResourceAsync(name, match, ct);

    public Task<ResourceStatus> WaitForResourceHealthyAsync(string name, CancellationToken ct = default) =>
        ResourceNotifications.WaitForResourceHealthyAsync(name, ct);

    /// <summary>
    /// An endpoint of a resource: a project's <c>http</c> or <c>grpc</c> (allocated as soon as the application
    /// starts), a server's <c>tcp</c> / <c>amqp</c> (once it runs).
    /// </summary>
    public Uri GetEndpoint(string resourceName, string endpointName = ProjectResource.HttpEndpointName)
    {
        var resource = Model.Get(resourceName);
        if (resource is ProjectResource)
            return _context.Values.GetEndpoint(resourceName, endpointName);
        var endpoint = GetResource(resourceName).Endpoints.FirstOrDefault(e => e.Name == endpointName)
            ?? throw new DistributedApplicationException($"{resource} has no endpoint '{endpointName}' (or has not started).");
        return new Uri(endpoint.Url);
    }

    /// <summary>
    /// A connection string: for a database, the owner's by default or <paramref name="role"/>'s; for a Postgres server,
    /// the superuser's; for Redis or RabbitMQ, what services get.
    /// </summary>
    public string GetConnectionString(string resourceName, string? role = null) =>
        _context.Values.GetConnectionString(Model.Get(resourceName), role);

    /// <summary>An HttpClient whose BaseAddress is the resource's endpoint. The caller disposes it.</summary>
    public HttpClient CreateHttpClient(string resourceName, string endpointName = ProjectResource.HttpEndpointName) =>
        new() { BaseAddress = GetEndpoint(resourceName, endpointName) };

    /// <summary>A lifecycle hook added by an extension (e.g. the AppHost's dashboard), to reach what it started.</summary>
    public T? GetLifecycleHook<T>() where T : class, IDistributedApplicationLifecycleHook => _hooks.OfType<T>().FirstOrDefault();
}
