using RabbitMQ.Client;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>One queue of the topology's RabbitMQ, through the AMQP client: how many messages wait, and purging them.</summary>
internal sealed class BrokerQueue(IConnection connection, IChannel channel, string queue) : IAsyncDisposable
{
    public static async Task<BrokerQueue> OpenAsync(DistributedApplication app, string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri((await app.GetConnectionStringAsync("messaging"))!) };
        var connection = await factory.CreateConnectionAsync();
        return new BrokerQueue(connection, await connection.CreateChannelAsync(), queue);
    }

    public async Task<uint> CountAsync() => await channel.MessageCountAsync(queue);

    public async Task PurgeAsync() => await channel.QueuePurgeAsync(queue);

    /// <summary>MassTransit's topology: the message's exchange → an exchange named after the queue → the queue.</summary>
    public Task UnbindAsync(string messageExchange) => channel.ExchangeUnbindAsync(queue, messageExchange, "");

    public Task BindAsync(string messageExchange) => channel.ExchangeBindAsync(queue, messageExchange, "");

    public async ValueTask DisposeAsync()
    {
        await channel.CloseAsync();
        await connection.CloseAsync();
        channel.Dispose();
        connection.Dispose();
    }
}
