using System.Diagnostics;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using RabbitMQ.Client;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace HrmsAttendance.Hosting.LocalServers.Tests;

public sealed class RedisAndRabbitMQTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _redisDirectory = TestDirectories.Create();
    private readonly string _rabbitDirectory = TestDirectories.Create();

    [Fact]
    public async Task Both_answer_with_the_same_credentials_on_a_second_start_and_leave_no_process_behind()
    {
        // What a killed earlier run would leave behind: a process carrying the data directory's marker.
        using var leftover = Process.Start(new ProcessStartInfo("/bin/sleep", "600")
        {
            Environment = { [LocalServerResource.DataDirectoryMarkerVariable] = _redisDirectory },
        })!;
        var elapsed = Stopwatch.StartNew();
        string firstRedis, firstRabbit;
        await using (var app = await StartAsync())
        {
            Assert.True(leftover.HasExited, "the leftover process on the data directory was stopped before the start");
            output.WriteLine($"first start: redis and rabbitmq healthy after {elapsed.ElapsedMilliseconds} ms");
            firstRedis = (await app.GetConnectionStringAsync("redis"))!;
            firstRabbit = (await app.GetConnectionStringAsync("rabbitmq"))!;
            Assert.StartsWith("127.0.0.1:", firstRedis);
            Assert.StartsWith("amqp://guest:", firstRabbit);
            Assert.EndsWith("@127.0.0.1:" + new Uri(firstRabbit).Port, firstRabbit);

            await using var redis = await ConnectionMultiplexer.ConnectAsync(firstRedis);
            var database = redis.GetDatabase();
            Assert.True((await database.PingAsync()) < TimeSpan.FromSeconds(5));
            await database.StringSetAsync("greeting", "hello");
            Assert.Equal("hello", (string?)await database.StringGetAsync("greeting"));

            await RoundTripAsync(firstRabbit);
            elapsed.Restart();
        }
        output.WriteLine($"first app disposed after {elapsed.ElapsedMilliseconds} ms");
        AssertNoProcessLeft();

        elapsed.Restart();
        await using (var app = await StartAsync())
        {
            output.WriteLine($"second start healthy after {elapsed.ElapsedMilliseconds} ms");
            var secondRedis = (await app.GetConnectionStringAsync("redis"))!;
            var secondRabbit = (await app.GetConnectionStringAsync("rabbitmq"))!;
            Assert.Equal(Password(firstRedis), Password(secondRedis));
            Assert.Equal(new Uri(firstRabbit).UserInfo, new Uri(secondRabbit).UserInfo);
            await using var redis = await ConnectionMultiplexer.ConnectAsync(secondRedis);
            await redis.GetDatabase().PingAsync();
            // The node's database (made on the first run, with the default user) is reused: the same login works.
            await RoundTripAsync(secondRabbit);
        }
        AssertNoProcessLeft();
    }

    private static async Task RoundTripAsync(string amqpUri)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true);
        await channel.BasicPublishAsync("", queue.QueueName, Encoding.UTF8.GetBytes("ping"));
        BasicGetResult? message = null;
        for (var attempt = 0; attempt < 50 && message is null; attempt++)
        {
            message = await channel.BasicGetAsync(queue.QueueName, autoAck: true);
            if (message is null)
            {
                await Task.Delay(20);
            }
        }
        Assert.Equal("ping", Encoding.UTF8.GetString(message!.Body.Span));
    }

    private void AssertNoProcessLeft()
    {
        Assert.Empty(TestDirectories.ProcessesMentioning(_redisDirectory));
        Assert.Empty(TestDirectories.ProcessesMentioning(_rabbitDirectory));
    }

    private async Task<DistributedApplication> StartAsync()
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.AddLocalRedis("redis").WithDataDirectory(_redisDirectory);
        builder.AddLocalRabbitMQ("rabbitmq").WithDataDirectory(_rabbitDirectory);
        var app = await builder.BuildAsync();
        ResourceLogs.ForwardTo(app, output);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await app.StartAsync(timeout.Token);
        await Task.WhenAll(
            app.ResourceNotifications.WaitForResourceHealthyAsync("redis", timeout.Token),
            app.ResourceNotifications.WaitForResourceHealthyAsync("rabbitmq", timeout.Token));
        return app;
    }

    private static string Password(string redisConnectionString) => ConfigurationOptions.Parse(redisConnectionString).Password!;

    public void Dispose()
    {
        TestDirectories.Delete(_redisDirectory);
        TestDirectories.Delete(_rabbitDirectory);
    }
}
