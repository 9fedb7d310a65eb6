using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using HrmsAttendance.Hosting.Redis;

namespace HrmsAttendance.Hosting.Tests.Redis;

public class RedisLifecycleTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Dispose_stops_the_server_and_closes_the_port()
    {
        var server = await RedisServer.StartTemporaryAsync();
        var pid = server.ProcessId;
        var port = server.Port;
        Assert.True(ProcessState.IsAlive(pid));

        await server.DisposeAsync();
        await server.DisposeAsync(); // idempotent

        Assert.False(ProcessState.IsAlive(pid));
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task Restart_on_the_same_directory_keeps_the_password()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"hrms-redis-restart-{Guid.NewGuid():N}");
        try
        {
            string firstPassword;
            await using (var first = await RedisServer.StartAsync(new RedisServerOptions { DataDirectory = dataDirectory }))
            {
                firstPassword = first.Password;
            }
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(dataDirectory, "credentials.json")));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(Path.Combine(dataDirectory, "redis.conf")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDirectory));

            await using var second = await RedisServer.StartAsync(new RedisServerOptions { DataDirectory = dataDirectory });
            Assert.Equal(firstPassword, second.Password);
            await using var connection = await Resp.ConnectAsync(second.Port);
            Assert.Equal("+OK", await connection.SendAsync("AUTH", firstPassword));
            Assert.Empty(Directory.GetFiles(dataDirectory, "*.rdb").Concat(Directory.GetDirectories(dataDirectory))); // nothing persisted
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Temporary_server_logs_and_removes_its_directory_on_dispose()
    {
        var lines = new ConcurrentQueue<string>();
        string dataDirectory;
        await using (var server = await RedisServer.StartTemporaryAsync(lines.Enqueue))
        {
            dataDirectory = lines.Select(line => line.Split(" with data directory ")).First(parts => parts.Length == 2)[1];
            Assert.True(File.Exists(Path.Combine(dataDirectory, "credentials.json")));
            Assert.Contains(lines, line => line.Contains("Ready to accept connections"));
            Assert.Contains(lines, line => line.StartsWith($"redis: ready on 127.0.0.1:{server.Port}", StringComparison.Ordinal));
        }
        Assert.False(Directory.Exists(dataDirectory));
    }

    [Fact]
    public async Task A_fixed_port_already_in_use_fails_with_a_clear_message()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"hrms-redis-fail-{Guid.NewGuid():N}");
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                RedisServer.StartAsync(new RedisServerOptions { DataDirectory = dataDirectory, Port = port }));

            Assert.Contains($"127.0.0.1:{port}", failure.Message);
            Assert.Contains("already in use", failure.Message);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
