using HrmsAttendance.Hosting.Redis;

namespace HrmsAttendance.Hosting.Tests.Redis;

/// <summary>One temporary server shared by the tests of a class.</summary>
public sealed class TemporaryRedis : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartTemporaryAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
