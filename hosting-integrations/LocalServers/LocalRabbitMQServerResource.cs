using Aspire.Hosting.ApplicationModel;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>
/// A RabbitMQ node from Debian's <c>rabbitmq-server</c> package, run as an executable resource on 127.0.0.1. Its
/// Erlang port mapper (<c>epmd</c>) is a resource of its own, so it is stopped with the app instead of outliving it.
/// </summary>
public sealed class LocalRabbitMQServerResource(string name, string dataDirectory)
    : LocalServerResource(name, ServerScript, dataDirectory)
{
    internal const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    internal const string EpmdBinary = "/usr/bin/epmd";

    /// <summary>The default user, created by the node on its first boot.</summary>
    public string UserName => "guest";

    /// <summary>AMQP URI: <c>amqp://guest:…@127.0.0.1:PORT</c>.</summary>
    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{PasswordParameter}@{Host}:{Port}");

    /// <summary>The node's Erlang name; the same on every run, since the node's database is kept under it.</summary>
    public string NodeName => "rabbit@localhost";

    /// <summary>The port of the node's private epmd (127.0.0.1).</summary>
    public int EpmdPort { get; internal set; }

    /// <summary>The Erlang distribution port (127.0.0.1).</summary>
    public int DistributionPort { get; internal set; }

    internal string HomeDirectory => Path.Combine(DataDirectory, "home");

    internal string MnesiaDirectory => Path.Combine(DataDirectory, "mnesia");

    internal string LogDirectory => Path.Combine(DataDirectory, "log");

    internal string ConfigFile => Path.Combine(DataDirectory, "rabbitmq.conf");

    internal string EnvironmentFile => Path.Combine(DataDirectory, "rabbitmq-env.conf");

    internal string EnabledPluginsFile => Path.Combine(DataDirectory, "enabled_plugins");

    internal override IReadOnlyList<string> StateEntries => ["home", "mnesia", "log", "rabbitmq.conf", "rabbitmq-env.conf", "enabled_plugins"];

    internal Uri GetConnectionUri() => new($"amqp://{UserName}:{Credentials.Get("password")}@{Host}:{AllocatedPort}");
}
