using Aspire.Hosting.ApplicationModel;
using HrmsAttendance.Hosting.LocalServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>Options shared by <c>AddLocalPostgres</c>, <c>AddLocalRedis</c> and <c>AddLocalRabbitMQ</c>.</summary>
public static class LocalServerBuilderExtensions
{
    /// <summary>Configuration key: when true, every local server's data directory is deleted before it starts.</summary>
    public const string FreshConfigurationKey = "AppHost:Fresh";

    /// <summary>
    /// Where the server keeps its data and its credentials file. Default: <c>&lt;repository root&gt;/.apphost/&lt;resource name&gt;</c>,
    /// the repository root being the parent of the AppHost's directory.
    /// </summary>
    public static IResourceBuilder<T> WithDataDirectory<T>(this IResourceBuilder<T> builder, string path)
        where T : LocalServerResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        builder.Resource.DataDirectory = Path.GetFullPath(path);
        return builder;
    }

    internal static string DefaultDataDirectory(IDistributedApplicationBuilder builder, string name)
    {
        var appHostDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(builder.AppHostDirectory));
        var repositoryRoot = Path.GetDirectoryName(appHostDirectory) ?? appHostDirectory;
        return Path.Combine(repositoryRoot, ".apphost", name);
    }

    /// <summary>
    /// Adds a local server with the parts all three share: a fixed loopback port the server binds itself, the
    /// data-directory marker on its environment, the health check, the data directory prepared before the app
    /// starts (leftovers stopped, fresh wipe, credentials), and the server's own <paramref name="initialise"/>
    /// just before it starts.
    /// </summary>
    internal static IResourceBuilder<T> AddLocalServer<T>(IDistributedApplicationBuilder builder, T server, int? port,
        string healthCheckKey, Func<T, ILogger, CancellationToken, Task> initialise)
        where T : LocalServerResource
    {
        var configuration = builder.Configuration;
        server.FreshRequested = () => configuration.GetValue<bool>(FreshConfigurationKey);
        server.AllocatedPort = port ?? LocalServerFiles.FreeLoopbackPort();

        // Before anything starts or any connection string is evaluated: the password is read from the credentials
        // file, so a fresh wipe must come first.
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>(async (@event, ct) =>
            {
                var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
                await LocalServerFiles.PrepareDataDirectoryAsync(server, logger);
            });
        }

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (@event, ct) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            await PrepareAsync(server, logger, initialise, ct);
        });

        return builder.AddResource(server)
            .WithEndpoint(port: server.AllocatedPort, targetPort: server.AllocatedPort, scheme: "tcp",
                name: LocalServerResource.PrimaryEndpointName, isProxied: false)
            .WithEndpoint(LocalServerResource.PrimaryEndpointName, endpoint => endpoint.TargetHost = "127.0.0.1")
            .WithEnvironment(context => context.EnvironmentVariables[LocalServerResource.DataDirectoryMarkerVariable] = server.DataDirectory)
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>The server's own initialisation (packages, initdb, config files), once per run.</summary>
    internal static async Task PrepareAsync<T>(T server, ILogger logger, Func<T, ILogger, CancellationToken, Task> initialise, CancellationToken ct)
        where T : LocalServerResource
    {
        await server.PrepareGate.WaitAsync(ct);
        try
        {
            if (server.Prepared)
            {
                return;
            }
            await initialise(server, logger, ct);
            server.Prepared = true;
        }
        finally
        {
            server.PrepareGate.Release();
        }
    }
}
