namespace HrmsAttendance.Hosting.RabbitMq;

public sealed class RabbitMqServerOptions
{
    /// <summary>
    /// The node's own directory, kept between runs: its database (<c>mnesia/</c>: users, vhosts, durable queues
    /// and messages), the generated user, password and node name (<c>credentials.json</c>, mode 600) and the
    /// Erlang cookie (<c>home/.erlang.cookie</c>, mode 400). An existing node there is reused. Created if missing.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>AMQP port on 127.0.0.1; 0 (the default) picks a free one. Erlang's own ports are always picked free.</summary>
    public int Port { get; init; }

    /// <summary>Progress messages and every line the node writes. Called from thread-pool threads.</summary>
    public Action<string>? Log { get; init; }
}
