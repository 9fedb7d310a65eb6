namespace HrmsAttendance.Hosting;

/// <summary>The resources of a built application, checked: unique names, known dependencies, no cycles.</summary>
public sealed class DistributedApplicationModel
{
    public DistributedApplicationModel(IReadOnlyList<Resource> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var duplicate = resources.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two resources are named '{duplicate.Key}'.");
        foreach (var resource in resources)
        {
            foreach (var dependency in resource.Dependencies)
            {
                if (!resources.Contains(dependency))
                    throw new InvalidOperationException($"{resource} depends on {dependency}, which was not added to this application.");
            }
        }
        Resources = resources;
        StartOrder = TopologicalOrder(resources);
    }

    /// <summary>In the order they were added.</summary>
    public IReadOnlyList<Resource> Resources { get; }

    /// <summary>Every resource after everything it depends on (stable: otherwise in the order they were added).</summary>
    public IReadOnlyList<Resource> StartOrder { get; }

    public Resource? Find(string name) => Resources.FirstOrDefault(r => r.Name == name);

    public Resource Get(string name) =>
        Find(name) ?? throw new ArgumentException(
            $"No resource named '{name}'. Resources: {string.Join(", ", Resources.Select(r => r.Name))}.", nameof(name));

    private static IReadOnlyList<Resource> TopologicalOrder(IReadOnlyList<Resource> resources)
    {
        var ordered = new List<Resource>();
        var state = new Dictionary<Resource, bool>(); // false: visiting, true: done
        void Visit(Resource resource, Stack<Resource> path)
        {
            if (state.TryGetValue(resource, out var done))
            {
                if (!done)
                    throw new InvalidOperationException(
                        $"Resources wait for each other in a cycle: {string.Join(" -> ", path.Reverse().Append(resource).Select(r => r.Name))}.");
                return;
            }
            state[resource] = false;
            path.Push(resource);
            foreach (var dependency in resource.Dependencies)
                Visit(dependency, path);
            path.Pop();
            state[resource] = true;
            ordered.Add(resource);
        }
        foreach (var resource in resources)
            Visit(resource, new Stack<Resource>());
        return ordered;
    }
}
