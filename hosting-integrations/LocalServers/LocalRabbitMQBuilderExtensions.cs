using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting.ApplicationModel;
using HrmsAttendance.Hosting.LocalServers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Aspire.Hosting;

/// <summary>Adds RabbitMQ nodes that run from Debian's <c>rabbitmq-server</c> package, without containers.</summary>
public static class LocalRabbitMQBuilderExtensions
{
    /// <summary>
    /// Adds a RabbitMQ node with AMQP on 127.0.0.1:<paramref name="port"/> (a free port when null), and its epmd as a
    /// second resource, <c>&lt;name&gt;-epmd</c>, that the node waits for. <c>WaitFor</c> waits until AMQP logins work.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMQServerResource> AddLocalRabbitMQ(this IDistributedApplicationBuilder builder,
        [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var rabbit = new LocalRabbitMQServerResource(name, LocalServerBuilderExtensions.DefaultDataDirectory(builder, name))
        {
            EpmdPort = LocalServerFiles.FreeLoopbackPort(),
            DistributionPort = LocalServerFiles.FreeLoopbackPort(),
        };

        var healthCheckKey = $"{name}_check";
        IConnection? connection = null;
        builder.Services.AddHealthChecks().AddRabbitMQ(async _ =>
        {
            if (connection is not { IsOpen: true })
            {
                connection = await new ConnectionFactory { Uri = rabbit.GetConnectionUri() }.CreateConnectionAsync();
            }
            return connection;
        }, name: healthCheckKey);

        // Erlang would start `epmd -daemon` itself, which detaches and outlives the node. Ours runs in the
        // foreground as a resource (stopped with the app), on its own port, on loopback; the node must not start one.
        var epmdHealthCheckKey = $"{name}-epmd_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(epmdHealthCheckKey, async ct =>
            await EpmdAnswersAsync(rabbit.EpmdPort, ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("epmd does not answer"));
        var epmd = builder.AddExecutable($"{name}-epmd", LocalRabbitMQServerResource.EpmdBinary, "/",
                "-port", rabbit.EpmdPort.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1")
            .WithEnvironment(context => context.EnvironmentVariables[LocalServerResource.DataDirectoryMarkerVariable] = rabbit.DataDirectory)
            .WithEnvironment("ERL_EPMD_PORT", "")
            .WithEnvironment("ERL_EPMD_ADDRESS", "")
            .WithHealthCheck(epmdHealthCheckKey)
            .WithParentRelationship(rabbit)
            .ExcludeFromManifest();
        // epmd starts first, and comes with the rabbitmq-server package (through Erlang): install it then.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(epmd.Resource, async (@event, ct) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(rabbit);
            await LocalServerBuilderExtensions.PrepareAsync(rabbit, logger, InitialiseAsync, ct);
        });

        return LocalServerBuilderExtensions.AddLocalServer(builder, rabbit, port, healthCheckKey, InitialiseAsync)
            .WaitFor(epmd)
            .WithEnvironment(context =>
            {
                string Port(int value) => value.ToString(CultureInfo.InvariantCulture);
                var environment = context.EnvironmentVariables;
                environment["HOME"] = rabbit.HomeDirectory; // where Erlang reads .erlang.cookie
                environment["RABBITMQ_NODENAME"] = rabbit.NodeName;
                environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
                environment["RABBITMQ_NODE_PORT"] = Port(rabbit.AllocatedPort);
                environment["RABBITMQ_DIST_PORT"] = Port(rabbit.DistributionPort); // the default, NODE_PORT+20000, can overflow
                environment["ERL_EPMD_PORT"] = Port(rabbit.EpmdPort);
                environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
                environment["RABBITMQ_MNESIA_BASE"] = rabbit.MnesiaDirectory;
                environment["RABBITMQ_LOG_BASE"] = rabbit.LogDirectory;
                environment["RABBITMQ_LOGS"] = "-";
                environment["RABBITMQ_CONFIG_FILE"] = rabbit.ConfigFile;
                environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(rabbit.DataDirectory, "advanced.config");
                environment["RABBITMQ_CONF_ENV_FILE"] = rabbit.EnvironmentFile;
                environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = rabbit.EnabledPluginsFile;
                environment["ERL_CRASH_DUMP"] = Path.Combine(rabbit.LogDirectory, "erl_crash.dump");
                // RABBITMQ_ALLOW_INPUT makes the script exec the Erlang VM instead of running it as a child: the
                // process DCP holds is beam.smp itself, which stops cleanly on SIGTERM, and no orphan VM is left when
                // the script is killed. -noinput keeps the Erlang shell off all the same.
                environment["RABBITMQ_ALLOW_INPUT"] = "1";
                environment["NOTIFY_SOCKET"] = "";
                // Without inet_dist_use_interface the distribution port listens on 0.0.0.0.
                environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-noinput -start_epmd false -kernel inet_dist_use_interface {127,0,0,1}";
            });
    }

    private static async Task InitialiseAsync(LocalRabbitMQServerResource rabbit, ILogger logger, CancellationToken ct)
    {
        await LocalServerFiles.LocateOrInstallAsync("rabbitmq-server", () => File.Exists(LocalRabbitMQServerResource.EpmdBinary)
            ? LocalServerFiles.ExistingFile(LocalRabbitMQServerResource.ServerScript) : null,
            $"RabbitMQ ({LocalRabbitMQServerResource.ServerScript})", logger, ct);
        Directory.CreateDirectory(rabbit.HomeDirectory);
        Directory.CreateDirectory(rabbit.MnesiaDirectory);
        Directory.CreateDirectory(rabbit.LogDirectory);

        var cookie = Path.Combine(rabbit.HomeDirectory, ".erlang.cookie");
        if (!File.Exists(cookie))
        {
            LocalServerFiles.WritePrivate(cookie, rabbit.Credentials.Get("erlang-cookie"));
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }
        LocalServerFiles.WritePrivate(rabbit.ConfigFile, string.Join('\n',
            "# Written by LocalServers on every start: edits are overwritten.",
            $"listeners.tcp.1 = 127.0.0.1:{rabbit.AllocatedPort.ToString(CultureInfo.InvariantCulture)}",
            // Only used on the node's first boot, when it creates its database: that is why the password is kept.
            $"default_user = {rabbit.UserName}",
            $"default_pass = {rabbit.Credentials.Get("password")}",
            // loopback_users restricts users to loopback connections; the listener is loopback-only anyway.
            "loopback_users = none",
            ""));
        File.WriteAllText(rabbit.EnvironmentFile, "");
        File.WriteAllText(rabbit.EnabledPluginsFile, "[].\n");
    }

    /// <summary>epmd answers NAMES_REQ (length 1, 'n') with its own port as 4 big-endian bytes.</summary>
    private static async Task<bool> EpmdAnswersAsync(int port, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0, 1, (byte)'n' }, timeout.Token);
            var reply = new byte[4];
            await stream.ReadExactlyAsync(reply, timeout.Token);
            return BinaryPrimitives.ReadInt32BigEndian(reply) == port;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
