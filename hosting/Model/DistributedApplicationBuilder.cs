namespace HrmsAttendance.Hosting;

/// <summary>Describes the application before it runs: <c>builder.AddPostgres(…)</c>, <c>builder.AddProject(…)</c>, …</summary>
public interface IDistributedApplicationBuilder
{
    /// <summary>The AppHost's command line as given.</summary>
    IReadOnlyList<string> Args { get; }

    DistributedApplicationOptions Options { get; }

    IReadOnlyList<Resource> Resources { get; }

    IReadOnlyList<IDistributedApplicationLifecycleHook> LifecycleHooks { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : Resource;

    /// <summary>Code that runs before the first resource starts and after the last one stopped (the dashboard).</summary>
    void AddLifecycleHook(IDistributedApplicationLifecycleHook hook);

    DistributedApplication Build();
}

/// <summary>A resource being described, for the fluent <c>WithReference</c>/<c>WaitFor</c> calls.</summary>
public interface IResourceBuilder<out T> where T : Resource
{
    T Resource { get; }

    IDistributedApplicationBuilder ApplicationBuilder { get; }
}

internal sealed class DistributedApplicationBuilder(IReadOnlyList<string> args, DistributedApplicationOptions options) : IDistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly List<IDistributedApplicationLifecycleHook> _hooks = [];
    private bool _built;

    public IReadOnlyList<string> Args { get; } = args;

    public DistributedApplicationOptions Options { get; } = options;

    public IReadOnlyList<Resource> Resources => _resources;

    public IReadOnlyList<IDistributedApplicationLifecycleHook> LifecycleHooks => _hooks;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        ArgumentNullException.ThrowIfNull(resource);
        ThrowIfBuilt();
        if (_resources.Any(r => r.Name == resource.Name))
            throw new InvalidOperationException($"A resource named '{resource.Name}' was already added.");
        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public void AddLifecycleHook(IDistributedApplicationLifecycleHook hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ThrowIfBuilt();
        _hooks.Add(hook);
    }

    public DistributedApplication Build()
    {
        ThrowIfBuilt();
        Testing.TestingHook.Current?.ConfigureBuilder?.Invoke(this);
        _built = true;
        return new DistributedApplication(new DistributedApplicationModel([.. _resources]), Options, [.. _hooks]);
    }

    private void ThrowIfBuilt()
    {
        if (_built) throw new InvalidOperationException("The application was already built.");
    }

    private sealed record ResourceBuilder<T>(T Resource, IDistributedApplicationBuilder ApplicationBuilder) : IResourceBuilder<T> where T : Resource;
}
