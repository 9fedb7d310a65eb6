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
}
