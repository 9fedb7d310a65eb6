using System.Globalization;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// The environment of <c>rabbitmq-server</c>: every location points into the data directory, every socket at
/// 127.0.0.1, and settings the host's own environment might carry are cleared.
/// </summary>
internal static class RabbitMqEnvironment
{
    public static IReadOnlyDictionary<string, string?> Build(RabbitMqDataDirectory directory, RabbitMqCredentials credentials, RabbitMqPorts ports)
    {
        string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string?>
        {
            ["HOME"] = directory.HomeDirectory, // where Erlang reads .erlang.cookie
            ["RABBITMQ_NODENAME"] = credentials.NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port(ports.Amqp),
            ["RABBITMQ_DIST_PORT"] = Port(ports.Distribution),
            ["ERL_EPMD_PORT"] = Port(ports.Epmd),
            // Should Erlang ever start an epmd of its own, it would listen on loopback only too.
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            // Without it the distribution port listens on 0.0.0.0 (RABBITMQ_NODE_IP_ADDRESS covers AMQP only).
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_MNESIA_BASE"] = directory.MnesiaBase,
            ["RABBITMQ_LOG_BASE"] = directory.LogDirectory,
            ["RABBITMQ_LOGS"] = "-", // stdout, which the supervisor collects
            ["RABBITMQ_CONFIG_FILE"] = directory.ConfigFile, // 3.10 takes the path with its .conf extension
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = directory.AdvancedConfigFile,
            ["RABBITMQ_CONF_ENV_FILE"] = directory.EnvironmentFile,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = directory.EnabledPluginsFile,
            ["ERL_CRASH_DUMP"] = directory.CrashDumpFile,
            // Either would make rabbitmq-server exec the VM in its place, without the SIGTERM handling we rely on;
            // NOTIFY_SOCKET (set when the host runs under systemd) would also make the node talk to systemd.
            ["NOTIFY_SOCKET"] = null,
            ["RABBITMQ_ALLOW_INPUT"] = null,
            ["RABBITMQ_USE_LONGNAME"] = null,
            ["RABBITMQ_CONFIG_FILES"] = null,
            ["RABBITMQ_MNESIA_DIR"] = null,
            ["RABBITMQ_PLUGINS_DIR"] = null,
            ["RABBITMQ_SERVER_ERL_ARGS"] = null,
            ["RABBITMQ_SERVER_START_ARGS"] = null,
            ["ERL_AFLAGS"] = null,
            ["ERL_FLAGS"] = null,
            ["ERL_ZFLAGS"] = null,
        };
    }
}
