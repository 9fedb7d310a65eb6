namespace HrmsAttendance.Hosting;

/// <summary>A fact attached to a resource (as in Aspire): a reference, a wait, an environment variable.</summary>
public interface IResourceAnnotation;

/// <summary>Start only once <see cref="Resource"/> is Running (for a service: its /health answers 200).</summary>
public sealed record WaitAnnotation(Resource Resource) : IResourceAnnotation;

/// <summary>
/// Hand the resource's address to this one: <c>ConnectionStrings__&lt;name&gt;</c> for a database, Redis or
/// RabbitMQ (as <paramref name="Role"/> for a database), <c>services__&lt;name&gt;__&lt;endpoint&gt;__0</c> for each
/// endpoint of a project. A connection-string reference also waits until the value exists (the server is ready).
/// </summary>
public sealed record ReferenceAnnotation(Resource Resource, string? Role = null) : IResourceAnnotation;

/// <summary>A plain environment variable for a project.</summary>
public sealed record EnvironmentAnnotation(string Name, string? Value) : IResourceAnnotation;

/// <summary>
/// An environment variable computed when the project starts, after the data directory is prepared (so a value kept
/// in it, like a generated key, survives <c>--fresh</c> being applied first).
/// </summary>
public sealed record EnvironmentCallbackAnnotation(string Name, Func<DistributedApplicationOptions, string?> Value) : IResourceAnnotation;

/// <summary>
/// Before the project starts (first start only), run <c>dotnet &lt;assembly&gt; &lt;Arguments&gt;</c> to completion with
/// <c>ConnectionStrings__&lt;database&gt;-owner</c> set to the database owner's connection string.
/// </summary>
public sealed record MigrationAnnotation(PostgresDatabaseResource Database, IReadOnlyList<string> Arguments) : IResourceAnnotation;

/// <summary>A named endpoint of a project: <c>http</c> (HTTP/1.1 + HTTP/2) or <c>grpc</c> (HTTP/2 only, cleartext).</summary>
/// <param name="Port">Fixed port on 127.0.0.1, or 0 to pick a free one when the application starts.</param>
public sealed record EndpointAnnotation(string Name, int Port = 0) : IResourceAnnotation;
