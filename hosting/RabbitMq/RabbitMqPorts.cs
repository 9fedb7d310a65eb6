using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// The three ports a node needs, all on 127.0.0.1: AMQP for clients, the Erlang distribution port (CLI tools,
/// clustering) and the port of its private epmd. Erlang's two are picked afresh on every start; nothing
/// stored depends on them.
/// </summary>
internal sealed record RabbitMqPorts(int Amqp, int Distribution, int Epmd)
{
    /// <summary>
    /// <paramref name="amqp"/> 0 picks a free one. The distribution port is always set explicitly: RabbitMQ's
    /// default (AMQP port + 20000) overflows 65535 for the high ports the OS hands out.
    /// </summary>
    public static RabbitMqPorts Pick(int amqp, int epmd)
    {
        var ports = new HashSet<int> { epmd };
        if (amqp != 0)
        {
            ports.Add(amqp);
        }
        var chosenAmqp = amqp != 0 ? amqp : PickDistinct(ports);
        return new RabbitMqPorts(chosenAmqp, PickDistinct(ports), epmd);
    }

    private static int PickDistinct(HashSet<int> taken)
    {
        while (true)
        {
            var port = LoopbackPort.PickFree();
            if (taken.Add(port))
            {
                return port;
            }
        }
    }
}
