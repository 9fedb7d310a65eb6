using HrmsAttendance.Hosting.Orchestration;
using HrmsAttendance.Hosting.Services;

namespace HrmsAttendance.Hosting;

/// <summary>The AppHost's vocabulary, named after Aspire's: Add*, WithReference, WaitFor, …</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>A private PostgreSQL server; its data in &lt;data-dir&gt;/&lt;name&gt;/, kept between runs.</summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name, int port = 0)
    {
        var resource = new PostgresServerResource(name) { Port = port };
        resource.RunnerFactory = context => new PostgresServerRunner(resource, context);
        return builder.AddResource(resource);
    }

    /// <summary>
    /// A database in the server, owned by <paramref name="ownerRole"/> (which runs the migrations). Its
    /// connection string name is <paramref name="name"/>; the database is named <paramref name="databaseName"/>
    /// (default: <paramref name="name"/> with hyphens as underscores).
    /// </summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server,
        string name, string ownerRole, string? databaseName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ownerRole);
        var resource = new PostgresDatabaseResource(name, server.Resource, databaseName ?? name.Replace('-', '_'), ownerRole);
        resource.RunnerFactory = context => new PostgresDatabaseRunner(resource, context);
        server.Resource._databases.Add(resource);
        return server.ApplicationBuilder.AddResource(resource);
    }

    /// <summary>A private Redis server (password required, nothing persisted).</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name, int port = 0)
    {
        var resource = new RedisResource(name) { Port = port };
        resource.RunnerFactory = context => new RedisRunner(resource, context);
        return builder.AddResource(resource);
    }

    /// <summary>A private RabbitMQ node with its own epmd; its database in &lt;data-dir&gt;/&lt;name&gt;/.</summary>
    public static IResourceBuilder<RabbitMQServerResource> AddRabbitMQ(this IDistributedApplicationBuilder builder, string name, int port = 0)
    {
        var resource = new RabbitMQServerResource(name) { Port = port };
        resource.RunnerFactory = context => new RabbitMqRunner(resource, context);
        return builder.AddResource(resource);
    }

    /// <summary>
    /// A service project, e.g. <c>AddProject("punch-ledger", "services/PunchLedger")</c>: the directory (relative
    /// to the repository root) holds exactly one .csproj, whose name is the assembly name. It gets an <c>http</c>
    /// endpoint and, with <paramref name="grpc"/>, an HTTP/2-only <c>grpc</c> endpoint, on ports picked when the
    /// application starts and kept across restarts.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, string projectDirectory, bool grpc = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectDirectory);
        var directory = projectDirectory.Replace('\\', '/').TrimEnd('/');
        var absolute = Path.Combine(RepositoryLayout.Root, directory);
        var projects = Directory.Exists(absolute) ? Directory.GetFiles(absolute, "*.csproj") : [];
        if (projects.Length != 1)
            throw new ArgumentException(
                $"'{directory}' must hold exactly one .csproj (found {projects.Length} under {absolute}).", nameof(projectDirectory));
        var assemblyName = Path.GetFileNameWithoutExtension(projects[0]);
        var resource = new ProjectResource(name, directory, $"{directory}/{Path.GetFileName(projects[0])}", assemblyName);
        resource.Annotations.Add(new EndpointAnnotation(ProjectResource.HttpEndpointName));
        if (grpc) resource.Annotations.Add(new EndpointAnnotation(ProjectResource.GrpcEndpointName));
        resource.RunnerFactory = context => new ProjectRunner(resource, context);
        return builder.AddResource(resource);
    }

    /// <summary>Fix an endpoint's port (instead of a free one picked at start).</summary>
    public static IResourceBuilder<ProjectResource> WithEndpointPort(this IResourceBuilder<ProjectResource> project, string endpointName, int port)
    {
        var existing = project.Resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == endpointName)
            ?? throw new ArgumentException($"{project.Resource} has no endpoint '{endpointName}'.", nameof(endpointName));
        var index = project.Resource.Annotations.IndexOf(existing);
        project.Resource.Annotations[index] = existing with { Port = port };
        return project;
    }

    /// <summary><c>ConnectionStrings__&lt;database&gt;</c> = the connection string of <paramref name="role"/>, a LOGIN NOSUPERUSER NOBYPASSRLS role created for it.</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<PostgresDatabaseResource> database, string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        database.Resource.AddLoginRole(role);
        project.Resource.Annotations.Add(new ReferenceAnnotation(database.Resource, role));
        return project;
    }

    /// <summary><c>ConnectionStrings__&lt;name&gt;</c> for Redis or RabbitMQ.</summary>
    public static IResourceBuilder<ProjectResource> WithReference<T>(this IResourceBuilder<ProjectResource> project, IResourceBuilder<T> source)
        where T : Resource, IResourceWithConnectionString
    {
        if (source.Resource is PostgresDatabaseResource)
            throw new ArgumentException("A database reference needs the role the project connects as: WithReference(database, role: \"…\").", nameof(source));
        project.Resource.Annotations.Add(new ReferenceAnnotation(source.Resource));
        return project;
    }

    /// <summary><c>services__&lt;name&gt;__&lt;endpoint&gt;__0</c> for each endpoint of <paramref name="other"/> (add WaitFor to also wait for it).</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ProjectResource> other)
    {
        project.Resource.Annotations.Add(new ReferenceAnnotation(other.Resource));
        return project;
    }

    /// <summary>Start only once <paramref name="dependency"/> is Running.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> resource, IResourceBuilder<Resource> dependency) where T : Resource
    {
        if (ReferenceEquals(resource.Resource, dependency.Resource))
            throw new ArgumentException($"{resource.Resource} cannot wait for itself.", nameof(dependency));
        resource.Resource.Annotations.Add(new WaitAnnotation(dependency.Resource));
        return resource;
    }

    /// <summary>
    /// Before the first start, run <c>dotnet &lt;assembly&gt;.dll migrate</c> to completion with
    /// <c>ConnectionStrings__&lt;database&gt;-owner</c> = the owner's connection string (the service itself never gets it).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMigrations(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<PostgresDatabaseResource> database, params string[] arguments)
    {
        project.Resource.Annotations.Add(new MigrationAnnotation(database.Resource, arguments.Length == 0 ? ["migrate"] : arguments));
        return project;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> project, string name, string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        project.Resource.Annotations.Add(new EnvironmentAnnotation(name, value));
        return project;
    }

    /// <summary>An environment variable whose value is computed when the project starts (see <see cref="EnvironmentCallbackAnnotation"/>).</summary>
    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> project, string name,
        Func<DistributedApplicationOptions, string?> value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        project.Resource.Annotations.Add(new EnvironmentCallbackAnnotation(name, value));
        return project;
    }
}
