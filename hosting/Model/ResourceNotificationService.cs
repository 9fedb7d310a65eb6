namespace HrmsAttendance.Hosting;

/// <summary>
/// The live state of every resource (Aspire's ResourceNotificationService): read it, wait for a state,
/// or subscribe to changes. The orchestrator is the only writer.
/// </summary>
public sealed class ResourceNotificationService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ResourceStatus> _statuses = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly List<Waiter> _waiters = [];

    internal ResourceNotificationService(DistributedApplicationModel model)
    {
        foreach (var resource in model.Resources)
        {
            _order.Add(resource.Name);
            _statuses[resource.Name] = new ResourceStatus(resource.Name, resource.Type, KnownResourceStates.NotStarted,
                KnownHealthStates.Unknown, [], null, 0, null, null, null);
        }
    }

    /// <summary>Raised after every change, on the thread that made it. Handlers must be quick and must not throw.</summary>
    public event Action<ResourceStatus>? Changed;

    /// <summary>Every resource, in the order they were added.</summary>
    public IReadOnlyList<ResourceStatus> GetAll()
    {
        lock (_gate) return [.. _order.Select(name => _statuses[name])];
    }

    public ResourceStatus Get(string name)
    {
        lock (_gate)
        {
            return _statuses.TryGetValue(name, out var status)
                ? status
                : throw new ArgumentException($"No resource named '{name}'. Resources: {string.Join(", ", _order)}.", nameof(name));
        }
    }

    /// <summary>Completes when <paramref name="name"/> is in <paramref name="state"/>; throws if it failed to start instead.</summary>
    public Task<ResourceStatus> WaitForResourceAsync(string name, string state, CancellationToken ct = default) =>
        WaitForResourceAsync(name, status => status.State == state, ct);

    /// <summary>Completes when the resource is Running and Healthy.</summary>
    public Task<ResourceStatus> WaitForResourceHealthyAsync(string name, CancellationToken ct = default) =>
        WaitForResourceAsync(name, status => status.IsRunningAndHealthy, ct);

    /// <summary>
    /// Completes with the first status (current or future) that matches. Throws
    /// <see cref="DistributedApplicationException"/> when the resource reaches FailedToStart without matching,
    /// since it will not start again by itself.
    /// </summary>
    public async Task<ResourceStatus> WaitForResourceAsync(string name, Func<ResourceStatus, bool> match, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        Waiter waiter;
        lock (_gate)
        {
            var current = Get(name);
            if (match(current)) return current;
            if (current.State == KnownResourceStates.FailedToStart) throw Failed(current);
            waiter = new Waiter(name, match);
            _waiters.Add(waiter);
        }
        try
        {
            return await waiter.Completion.Task.WaitAsync(ct);
        }
        finally
        {
            lock (_gate) _waiters.Remove(waiter);
        }
    }

    internal ResourceStatus Update(string name, Func<ResourceStatus, ResourceStatus> change)
    {
        ResourceStatus updated;
        lock (_gate)
        {
            updated = change(_statuses[name]);
            _statuses[name] = updated;
            foreach (var waiter in _waiters.Where(w => w.Name == name))
            {
                if (waiter.Match(updated)) waiter.Completion.TrySetResult(updated);
                else if (updated.State == KnownResourceStates.FailedToStart) waiter.Completion.TrySetException(Failed(updated));
            }
        }
        try
        {
            Changed?.Invoke(updated);
        }
        catch
        {
            // A subscriber's bug must not break the orchestrator.
        }
        return updated;
    }

    private static DistributedApplicationException Failed(ResourceStatus status) =>
        new($"{status.Type} '{status.Name}' failed to start: {status.Message}");

    private sealed class Waiter(string name, Func<ResourceStatus, bool> match)
    {
        public string Name { get; } = name;
        public Func<ResourceStatus, bool> Match { get; } = match;
        public TaskCompletionSource<ResourceStatus> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A resource failed to start, or the application was used wrongly.</summary>
public sealed class DistributedApplicationException(string message, Exception? inner = null) : Exception(message, inner);
