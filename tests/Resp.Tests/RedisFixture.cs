using HrmsAttendance.Hosting.Redis;

namespace HrmsAttendance.Resp.Tests;

/// <summary>One private redis-server (and one connection to it) shared by the tests that do not stop it.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private RedisConnection? _connection;

    public RedisServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>A connection shared by tests: concurrent use is part of what is tested.</summary>
    public RedisConnection Connection => _connection ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartTemporaryAsync();
        _connection = await RedisConnection.ConnectAsync(_server.ConnectionString);
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

    /// <summary>A key no other test uses.</summary>
    public static string UniqueKey(string purpose) => $"test:{purpose}:{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
