using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HrmsAttendance.Database;

/// <summary>The connection pool a service opens with its own role.</summary>
public static class ServiceDataSource
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // The kernel's doors raise a stable code as MESSAGE and the sentence callers see as DETAIL;
        // Npgsql redacts DETAIL unless told otherwise.
        builder.ConnectionStringBuilder.IncludeErrorDetail = true;
        return builder.Build();
    }

    /// <summary>
    /// Registers the service's pool (one per process, opened with its own role) and the "postgres" health check
    /// that reports whether that role can run a query.
    /// </summary>
    public static IServiceCollection AddServiceDataSource(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => Create(connectionString));
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres");
        return services;
    }
}
