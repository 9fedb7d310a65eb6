using HrmsAttendance.ServiceDefaults;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace HrmsAttendance.Database;

/// <summary>The connection pool a service opens with its own role.</summary>
public static class ServiceDataSource
{
    /// <summary>
    /// Registers the service's pool through Aspire.Npgsql (<c>ConnectionStrings__<paramref name="connectionName"/></c>,
    /// the service's own NOSUPERUSER NOBYPASSRLS role), with its health check, traces and metrics.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        builder.RequireConnectionStringPassword(connectionName, LoginPassword);
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource =>
            // The kernel's doors raise a stable code as MESSAGE and the sentence callers see as DETAIL;
            // Npgsql redacts DETAIL unless told otherwise.
            dataSource.ConnectionStringBuilder.IncludeErrorDetail = true);
        return builder;
    }

    /// <summary>The secret a Postgres connection string logs in with: its password, or the passfile that holds it.</summary>
    public static string? LoginPassword(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        return string.IsNullOrEmpty(settings.Password) ? settings.Passfile : settings.Password;
    }
}
