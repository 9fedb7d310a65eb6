using HrmsAttendance.Hosting.Redis;

namespace HrmsAttendance.Hosting.Tests.Redis;

public class RedisServerTests(TemporaryRedis redis) : IClassFixture<TemporaryRedis>
{
    private RedisServer Server => redis.Server;

    [Fact]
    public async Task Answers_PING_after_AUTH_with_its_password()
    {
        await using var connection = await Resp.ConnectAsync(Server.Port);

        Assert.Equal("+OK", await connection.SendAsync("AUTH", Server.Password));
        Assert.Equal("+PONG", await connection.SendAsync("PING"));
        Assert.Equal("+OK", await connection.SendAsync("SET", "greeting", "hello"));
        Assert.Equal("hello", await connection.SendAsync("GET", "greeting"));
    }

    [Fact]
    public async Task Refuses_a_wrong_password_and_commands_without_one()
    {
        await using var connection = await Resp.ConnectAsync(Server.Port);

        Assert.StartsWith("-NOAUTH", (string?)await connection.SendAsync("PING"));
        Assert.StartsWith("-WRONGPASS", (string?)await connection.SendAsync("AUTH", "not-the-password"));
        Assert.StartsWith("-NOAUTH", (string?)await connection.SendAsync("GET", "greeting"));
    }

    [Fact]
    public async Task Listens_on_loopback_only_and_persists_nothing()
    {
        await using var connection = await Resp.ConnectAsync(Server.Port);
        await connection.SendAsync("AUTH", Server.Password);

        Assert.Equal("127.0.0.1", Server.Host);
        Assert.Equal(new object?[] { "bind", "127.0.0.1" }, await connection.SendAsync("CONFIG", "GET", "bind"));
        Assert.Equal(new object?[] { "protected-mode", "yes" }, await connection.SendAsync("CONFIG", "GET", "protected-mode"));
        Assert.Equal(new object?[] { "save", "" }, await connection.SendAsync("CONFIG", "GET", "save"));
        Assert.Equal(new object?[] { "appendonly", "no" }, await connection.SendAsync("CONFIG", "GET", "appendonly"));
        Assert.Equal(new object?[] { "port", Server.Port.ToString() }, await connection.SendAsync("CONFIG", "GET", "port"));
    }

    [Fact]
    public void Connection_string_follows_the_StackExchange_Redis_convention()
    {
        Assert.Equal($"127.0.0.1:{Server.Port},password={Server.Password}", Server.ConnectionString);
        Assert.Matches("^[0-9a-f]{48}$", Server.Password);
    }

    [Fact]
    public void The_password_is_not_on_the_command_line()
    {
        var commandLine = File.ReadAllText($"/proc/{Server.ProcessId}/cmdline");

        Assert.Contains("redis-server", commandLine);
        Assert.DoesNotContain(Server.Password, commandLine);
    }
}
