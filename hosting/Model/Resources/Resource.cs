using System.Text.RegularExpressions;

namespace HrmsAttendance.Hosting;

/// <summary>
/// Something the AppHost runs or provides: a server, a database in it, a service project. Pure description:
/// what it is, what it references and waits for (its <see cref="Annotations"/>). The orchestrator
/// (<see cref="DistributedApplication"/>) runs it. Names are lower-case kebab-case (<c>punch-ledger</c>); they
/// become connection-string names, <c>services__name__…</c> keys and OTEL_SERVICE_NAME, as in Aspire.
/// </summary>
public abstract partial class Resource
{
    protected Resource(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException(
                $"Resource name '{name}' must be lower-case letters, digits and single hyphens, starting with a letter (e.g. 'punch-ledger').",
                nameof(name));
        }
        Name = name;
    }

    public string Name { get; }

    /// <summary>Shown in the dashboard and the start-up table: "postgres", "database", "redis", "rabbitmq", "project".</summary>
    public abstract string Type { get; }

    /// <summary>References, waits, environment, migrations: see the annotation types.</summary>
    public IList<IResourceAnnotation> Annotations { get; } = [];

    /// <summary>Resources this one needs before it starts: what it waits for and what it references.</summary>
    public virtual IEnumerable<Resource> Dependencies =>
        Annotations.OfType<WaitAnnotation>().Select(a => a.Resource)
            .Concat(Annotations.OfType<ReferenceAnnotation>().Where(a => a.Resource is IResourceWithConnectionString).Select(a => a.Resource))
            .Concat(Annotations.OfType<MigrationAnnotation>().Select(a => (Resource)a.Database))
            .Distinct();

    /// <summary>Set by the Add* method that created the resource: how the orchestrator runs it.</summary>
    internal Func<Orchestration.RunContext, Orchestration.ResourceRunner>? RunnerFactory { get; set; }

    public override string ToString() => $"{Type} '{Name}'";

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex NamePattern();
}

/// <summary>A resource that hands out connection strings (<c>ConnectionStrings__&lt;name&gt;</c>).</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }
}

/// <summary>A resource inside another one (a database in its server): started after its parent, stopped with it.</summary>
public interface IResourceWithParent
{
    Resource Parent { get; }
}
