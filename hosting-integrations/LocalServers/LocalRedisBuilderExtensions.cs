using System.Globalization;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using HrmsAttendance.Hosting.LocalServers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>Adds Redis servers that run from Debian's <c>redis-server</c> package, without containers.</summary>
public static class LocalRedisBuilderExtensions
{
    /// <summary>
    /// Adds a Redis server listening on 127.0.0.1:<paramref name="port"/> (a free port when null), password-protected,
    /// without persistence (like Aspire's Redis without <c>WithPersistence</c>). <c>WaitFor</c> waits until it answers.
    /// </summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder,
        [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var redis = new LocalRedisResource(name, LocalServerBuilderExtensions.DefaultDataDirectory(builder, name));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(_ => redis.GetConnectionString(), name: healthCheckKey);

        // The password goes into a mode-600 config file rather than onto the command line, where ps would show it.
        return LocalServerBuilderExtensions.AddLocalServer(builder, redis, port, healthCheckKey, InitialiseAsync)
            .WithArgs(context => context.Args.Add(redis.ConfigFile));
    }

    private static async Task InitialiseAsync(LocalRedisResource redis, ILogger logger, CancellationToken ct)
    {
        await LocalServerFiles.LocateOrInstallAsync("redis-server", () => LocalServerFiles.ExistingFile(LocalRedisResource.ServerBinary),
            $"Redis ({LocalRedisResource.ServerBinary})", logger, ct);
        Directory.CreateDirectory(redis.DumpDirectory);
        var config = new StringBuilder()
            .AppendLine("# Written by LocalServers on every start: edits are overwritten.")
            .AppendLine(CultureInfo.InvariantCulture, $"port {redis.AllocatedPort}")
            .AppendLine("bind 127.0.0.1")
            .AppendLine("protected-mode yes")
            .AppendLine(CultureInfo.InvariantCulture, $"dir {redis.DumpDirectory}")
            .AppendLine("save \"\"")
            .AppendLine("appendonly no")
            .AppendLine("daemonize no")
            .AppendLine("logfile \"\"")
            // Redis rewrites its process title (and with it the environment block): keep the data directory visible.
            .AppendLine("proc-title-template \"{title} {listen-addr} {config-file}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"requirepass {redis.Credentials.Get("password")}")
            .ToString();
        LocalServerFiles.WritePrivate(redis.ConfigFile, config);
    }
}
