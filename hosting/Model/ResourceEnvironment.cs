using System.Globalization;

namespace HrmsAttendance.Hosting;

/// <summary>The values a running application has allocated: connection strings and endpoints.</summary>
public interface IResourceValues
{
    /// <summary>For a database: the connection string of <paramref name="role"/> (null: the owner's).</summary>
    string GetConnectionString(Resource resource, string? role = null);

    Uri GetEndpoint(ProjectResource project, string endpointName);
}

/// <summary>
/// The environment a project gets, by Aspire's conventions, so that a service runs unchanged under the real
/// Aspire AppHost: <c>ConnectionStrings__&lt;name&gt;</c>, <c>services__&lt;name&gt;__&lt;endpoint&gt;__0</c>, OTEL_*.
/// (ServiceProcess adds OTEL_SERVICE_NAME, the Kestrel endpoints and ASPNETCORE_ENVIRONMENT.)
/// </summary>
public static class ResourceEnvironment
{
    /// <summary>Flush intervals short enough that spans, logs and metrics show in the dashboard within a second.</summary>
    public const string TelemetryFlushMilliseconds = "1000";

    /// <param name="options">For <see cref="EnvironmentCallbackAnnotation"/> values; null skips them (model inspection).</param>
    public static IReadOnlyDictionary<string, string?> For(ProjectResource project, IResourceValues values, string? otlpEndpoint,
        DistributedApplicationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(values);
        var environment = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var reference in project.Annotations.OfType<ReferenceAnnotation>())
        {
            switch (reference.Resource)
            {
                case ProjectResource other:
                    foreach (var endpoint in other.Endpoints)
                    {
                        environment[string.Create(CultureInfo.InvariantCulture, $"services__{other.Name}__{endpoint.Name}__0")] =
                            values.GetEndpoint(other, endpoint.Name).ToString().TrimEnd('/');
                    }
                    break;
                case IResourceWithConnectionString:
                    environment[$"ConnectionStrings__{reference.Resource.Name}"] = values.GetConnectionString(reference.Resource, reference.Role);
                    break;
                default:
                    throw new InvalidOperationException($"{project} references {reference.Resource}, which has neither endpoints nor a connection string.");
            }
        }
        if (!string.IsNullOrWhiteSpace(otlpEndpoint))
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            environment["OTEL_BSP_SCHEDULE_DELAY"] = TelemetryFlushMilliseconds;
            environment["OTEL_BLRP_SCHEDULE_DELAY"] = TelemetryFlushMilliseconds;
            environment["OTEL_METRIC_EXPORT_INTERVAL"] = TelemetryFlushMilliseconds;
            environment["OTEL_SERVICE_NAME"] = project.Name;
        }
        foreach (var variable in project.Annotations.OfType<EnvironmentAnnotation>())
            environment[variable.Name] = variable.Value;
        if (options is not null)
        {
            foreach (var variable in project.Annotations.OfType<EnvironmentCallbackAnnotation>())
                environment[variable.Name] = variable.Value(options);
        }
        return environment;
    }

    /// <summary>What a migration command gets: <c>ConnectionStrings__&lt;database&gt;-owner</c>.</summary>
    public static IReadOnlyDictionary<string, string?> ForMigration(MigrationAnnotation migration, IResourceValues values) =>
        new Dictionary<string, string?>
        {
            [$"ConnectionStrings__{migration.Database.Name}-owner"] = values.GetConnectionString(migration.Database),
        };
}
