using StackExchange.Redis;

namespace HrmsAttendance.RateLimiting.Tests;

/// <summary>One private redis-server (and one connection to it) shared by the tests that do not stop it.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private TestRedisServer? _server;
    private ConnectionMultiplexer? _connection;

    public string ConnectionString => _server?.ConnectionString ?? throw new InvalidOperationException("Not started.");

    /// <summary>A connection shared by tests: concurrent use is part of what is tested.</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("Not started.");

    public IDatabase Database => Connection.GetDatabase();

    public async Task InitializeAsync()
    {
        _server = await TestRedisServer.StartTemporaryAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_server.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
