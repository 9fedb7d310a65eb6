namespace HrmsAttendance.Hosting;

/// <summary>
/// A private RabbitMQ node (Debian's rabbitmq-server, see hosting/RabbitMq) with its own epmd.
/// <c>ConnectionStrings__&lt;name&gt;</c> is <c>amqp://user:password@127.0.0.1:PORT</c>.
/// </summary>
public sealed class RabbitMQServerResource(string name) : Resource(name), IResourceWithConnectionString
{
    public override string Type => "rabbitmq";

    /// <summary>Fixed AMQP port on 127.0.0.1, or 0 to pick a free one at every start.</summary>
    public int Port { get; internal set; }
}
