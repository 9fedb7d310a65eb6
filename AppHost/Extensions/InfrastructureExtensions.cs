namespace HrmsAttendance.AppHost.Extensions;

/// <summary>The servers every topology needs, under the same names and connection strings whichever way they run.</summary>
public sealed record Infrastructure(
    IResourceBuilder<IResourceWithConnectionString> Attendance,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> Messaging);

public static class InfrastructureExtensions
{
    /// <summary>
    /// <c>postgres</c> with database <c>attendance</c>, <c>redis</c> and <c>messaging</c> (RabbitMQ). By default Debian's
    /// servers run as local executables on loopback with their data under the data directory (no container runtime is
    /// needed); with <c>AppHost:Infrastructure=containers</c> (or <c>-- --containers</c>) Aspire's stock container
    /// resources run instead, for machines with Docker or Podman.
    /// </summary>
    public static Infrastructure AddInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = builder.Configuration[AppHostOptions.InfrastructureKey];
        if (string.Equals(mode, "containers", StringComparison.OrdinalIgnoreCase))
        {
            var postgres = builder.AddPostgres("postgres").WithDataVolume();
            return new(
                postgres.AddDatabase("attendance"),
                builder.AddRedis("redis"),
                builder.AddRabbitMQ("messaging"));
        }
        if (!string.IsNullOrEmpty(mode) && !string.Equals(mode, "local", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{AppHostOptions.InfrastructureKey} is '{mode}'; use 'local' (the default) or 'containers'.");

        var dataDirectory = builder.DataDirectory();
        var localPostgres = builder.AddLocalPostgres("postgres").WithDataDirectory(Path.Combine(dataDirectory, "postgres"));
        return new(
            localPostgres.AddDatabase("attendance"),
            builder.AddLocalRedis("redis").WithDataDirectory(Path.Combine(dataDirectory, "redis")),
            builder.AddLocalRabbitMQ("messaging").WithDataDirectory(Path.Combine(dataDirectory, "messaging")));
    }
}
