using System.Diagnostics;
using HrmsAttendance.Hosting.Redis;

namespace HrmsAttendance.Resp.Tests;

[Collection(RedisCollection.Name)]
public sealed class RespConnectionTests(RedisFixture redis)
{
    private string ConnectionString => redis.Server.ConnectionString;

    [Fact]
    public async Task Wrong_password_is_an_authentication_failure_naming_the_server_error()
    {
        var wrong = $"{redis.Server.Host}:{redis.Server.Port},password=not-the-password";
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => RedisConnection.ConnectAsync(wrong));
        Assert.Equal(ConnectionFailureType.AuthenticationFailure, error.FailureType);
        Assert.Contains("refused the credentials", error.Message);
        Assert.Contains("WRONGPASS", error.Message);
        Assert.DoesNotContain("not-the-password", error.Message);
    }

    [Fact]
    public async Task No_password_connects_but_commands_report_noauth()
    {
        await using var connection = await RedisConnection.ConnectAsync($"{redis.Server.Host}:{redis.Server.Port}");
        var error = await Assert.ThrowsAsync<RedisServerException>(() => connection.GetAsync("k"));
        Assert.Equal("NOAUTH", error.ErrorCode);
    }

    [Fact]
    public async Task Nothing_listening_is_unable_to_connect()
    {
        var port = FreePort();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisConnection.ConnectAsync($"127.0.0.1:{port},password=x"));
        Assert.Equal(ConnectionFailureType.UnableToConnect, error.FailureType);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task AbortConnect_false_returns_at_once_and_each_call_tries_again()
    {
        var port = FreePort();
        await using var connection = await RedisConnection.ConnectAsync($"127.0.0.1:{port},abortConnect=false");
        Assert.False(connection.IsConnected);
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.PingAsync());
        Assert.Equal(ConnectionFailureType.UnableToConnect, error.FailureType);
        await Assert.ThrowsAsync<RedisConnectionException>(() => connection.PingAsync());
    }

    [Fact]
    public async Task Cancelling_a_call_in_flight_leaves_the_connection_in_step()
    {
        await using var connection = await RedisConnection.ConnectAsync(ConnectionString);
        var key = RedisFixture.UniqueKey("cancel");
        await connection.SetAsync(key, "kept");
        var clientId = (long)await connection.ExecuteAsync("CLIENT", "ID");

        // BLPOP blocks this connection on the server for 1 s, then answers nil.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var blocked = connection.ExecuteAsync("BLPOP", [RedisFixture.UniqueKey("empty"), "1"], cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);

        // The next reply on the wire is BLPOP's nil; it must be dropped, not handed to GET.
        Assert.Equal("kept", (string?)await connection.GetAsync(key));
        Assert.Equal(clientId, (long)await connection.ExecuteAsync("CLIENT", "ID")); // same connection, not a new one

        // A token cancelled before the call sends nothing.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => connection.SetAsync(key, "never", cancellationToken: new CancellationToken(canceled: true)));
        Assert.Equal("kept", (string?)await connection.GetAsync(key));
    }

    [Fact]
    public async Task Cancelling_one_caller_does_not_disturb_the_others()
    {
        await using var connection = await RedisConnection.ConnectAsync(ConnectionString);
        var prefix = RedisFixture.UniqueKey("mixed");
        var tasks = Enumerable.Range(0, 100).Select(async i =>
        {
            using var cancel = new CancellationTokenSource();
            var key = $"{prefix}:{i}";
            if (i % 3 == 0)
            {
                var call = connection.SetAsync(key, i, cancellationToken: cancel.Token);
                cancel.Cancel();
                try
                {
                    await call;
                }
                catch (OperationCanceledException)
                {
                }
                return;
            }
            await connection.SetAsync(key, i);
            Assert.Equal(i, (long)await connection.GetAsync(key));
        });
        await Task.WhenAll(tasks);
        await connection.PingAsync();
    }

    [Fact]
    public async Task A_timed_out_call_resets_the_connection_and_the_next_call_uses_a_new_one()
    {
        await using var connection = await RedisConnection.ConnectAsync(ConnectionString + ",asyncTimeout=200");
        var clientId = (long)await connection.ExecuteAsync("CLIENT", "ID");

        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RedisTimeoutException>(
            () => connection.ExecuteAsync("BLPOP", RedisFixture.UniqueKey("empty"), "5"));
        Assert.InRange(elapsed.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(4));
        Assert.Contains("BLPOP", error.Message);
        Assert.Contains("200 ms", error.Message);
        Assert.False(connection.IsConnected);

        elapsed.Restart();
        var newId = (long)await connection.ExecuteAsync("CLIENT", "ID");
        Assert.NotEqual(clientId, newId);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(4), "the new connection does not wait behind BLPOP");
    }

    [Fact]
    public async Task Calls_in_flight_on_a_reset_connection_fail_and_later_calls_reconnect()
    {
        await using var connection = await RedisConnection.ConnectAsync(ConnectionString + ",asyncTimeout=300");
        var blocker = connection.ExecuteAsync("BLPOP", RedisFixture.UniqueKey("empty"), "5");
        var queued = connection.GetAsync(RedisFixture.UniqueKey("queued")); // behind BLPOP on the same connection
        // The first of the two to time out resets the connection; the other fails with it ("The connection was
        // reset: …") unless its own timeout fired first.
        var errors = new[]
        {
            await Assert.ThrowsAnyAsync<Exception>(() => blocker),
            await Assert.ThrowsAnyAsync<Exception>(() => queued),
        };
        Assert.Contains(errors, e => e is RedisTimeoutException);
        Assert.All(errors, e => Assert.True(e is RedisTimeoutException or RedisConnectionException, e.ToString()));
        await connection.PingAsync();
    }

    [Fact]
    public async Task Killed_connection_is_replaced_on_the_next_call()
    {
        await using var connection = await RedisConnection.ConnectAsync(ConnectionString);
        var clientId = (long)await connection.ExecuteAsync("CLIENT", "ID");
        await redis.Connection.ExecuteAsync("CLIENT", "KILL", "ID", clientId);
        await Poll.UntilAsync(() => Task.FromResult(!connection.IsConnected), TimeSpan.FromSeconds(5), "the reader notices");

        Assert.NotEqual(clientId, (long)await connection.ExecuteAsync("CLIENT", "ID"));
    }

    [Fact]
    public async Task Server_restart_on_the_same_port_the_next_call_reconnects_with_auth()
    {
        var directory = Directory.CreateTempSubdirectory("hrms-resp-restart-").FullName;
        try
        {
            var options = new RedisServerOptions { DataDirectory = directory };
            var server = await RedisServer.StartAsync(options);
            var port = server.Port;
            await using var connection = await RedisConnection.ConnectAsync(server.ConnectionString);
            await connection.SetAsync("before", "restart");

            await server.DisposeAsync();
            await Poll.UntilAsync(() => Task.FromResult(!connection.IsConnected), TimeSpan.FromSeconds(5), "the reader notices");
            var down = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.PingAsync());
            Assert.Equal(ConnectionFailureType.UnableToConnect, down.FailureType);

            await using var restarted = await RedisServer.StartAsync(new RedisServerOptions { DataDirectory = directory, Port = port });
            await connection.PingAsync();
            Assert.True((await connection.GetAsync("before")).IsNull); // nothing is persisted: a new, empty server
            Assert.True(await connection.SetAsync("after", "restart"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Dispose_fails_calls_in_flight_and_refuses_new_ones()
    {
        var connection = await RedisConnection.ConnectAsync(ConnectionString);
        var blocked = connection.ExecuteAsync("BLPOP", RedisFixture.UniqueKey("empty"), "2");
        await connection.DisposeAsync();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => blocked);
        Assert.Equal(ConnectionFailureType.ConnectionDisposed, error.FailureType);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => connection.PingAsync());
        await connection.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task Default_database_is_selected_on_connect()
    {
        await using var db3 = await RedisConnection.ConnectAsync(ConnectionString + ",defaultDatabase=3");
        var key = RedisFixture.UniqueKey("db3");
        await db3.SetAsync(key, "in 3");
        Assert.True((await redis.Connection.GetAsync(key)).IsNull);
        Assert.Equal("in 3", (string?)await db3.GetAsync(key));
        var info = (string?)await db3.ExecuteAsync("CLIENT", "INFO");
        Assert.Contains(" db=3 ", info);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
