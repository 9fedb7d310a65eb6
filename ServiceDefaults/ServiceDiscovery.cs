using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.ServiceDefaults;

/// <summary>
/// Reads other services' addresses the way Aspire hands them over:
/// <c>services__&lt;name&gt;__&lt;endpoint&gt;__0=http://127.0.0.1:5102</c>.
/// </summary>
public static class ServiceDiscovery
{
    public static Uri GetServiceUri(this IConfiguration configuration, string serviceName, string endpointName = "http")
    {
        var value = configuration[$"services:{serviceName}:{endpointName}:0"];
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException(
                $"No address for service '{serviceName}' endpoint '{endpointName}': set services__{serviceName}__{endpointName}__0.");
        return new Uri(value);
    }

    /// <summary>A connection string by name (<c>ConnectionStrings__&lt;name&gt;</c>), or a clear error.</summary>
    public static string GetRequiredConnectionString(this IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Connection string '{name}' is missing: set ConnectionStrings__{name}.");
}
