using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HrmsAttendance.Resp.Tests;

/// <summary>Replies no Redis server sends: a fake TCP server answers each command with scripted bytes.</summary>
public sealed class FakeServerTests
{
    [Theory]
    [InlineData("HTTP/1.1 400 Bad Request\r\n\r\n", "unknown reply type byte 0x48", "HTTP/1.1 400 Bad Request")]
    [InlineData("$5\r\nhelloXX", "not followed by CRLF", "XX")]
    [InlineData("$-7\r\n", "negative bulk string length", "$-7")]
    [InlineData(":12a\r\n", "malformed number", ":12a")]
    [InlineData("+OK\n", "LF without CR", "+OK")]
    [InlineData("$600000000\r\n", "over the limit of 536870912 bytes", null)]
    public async Task Garbled_replies_fail_the_call_clearly_and_the_next_call_reconnects(string garbage, string expected, string? quoted)
    {
        await using var server = new FakeServer([Encoding.ASCII.GetBytes(garbage)], then: "+PONG\r\n");
        await using var connection = await RedisConnection.ConnectAsync($"127.0.0.1:{server.Port},abortConnect=false");

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.GetAsync("k"));
        Assert.Equal(ConnectionFailureType.ProtocolFailure, error.FailureType);
        Assert.Contains(expected, error.Message);
        if (quoted is not null)
        {
            Assert.Contains(quoted, error.Message);
        }

        await connection.PingAsync(); // a new connection, answered properly
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task Arrays_nested_too_deep_are_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("*1\r\n", 40)) + ":1\r\n";
        await using var server = new FakeServer([Encoding.ASCII.GetBytes(deep)], then: "+PONG\r\n");
        await using var connection = await RedisConnection.ConnectAsync($"127.0.0.1:{server.Port}");
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.ExecuteAsync("X"));
        Assert.Contains("nested deeper than 32", error.Message);
    }

    [Fact]
    public async Task A_configured_bulk_limit_is_enforced()
    {
        await using var server = new FakeServer([Encoding.ASCII.GetBytes("$2000\r\n")], then: "+PONG\r\n");
        var options = RedisConnectionOptions.Parse($"127.0.0.1:{server.Port}");
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions
        {
            Host = options.Host,
            Port = options.Port,
            MaxBulkLength = 1000,
        });
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.GetAsync("k"));
        Assert.Contains("bulk string of 2000 bytes, over the limit of 1000 bytes", error.Message);
    }

    [Fact]
    public async Task A_server_that_closes_mid_reply_is_socket_closed()
    {
        await using var server = new FakeServer([Encoding.ASCII.GetBytes("$10\r\nabc")], then: "+PONG\r\n", closeAfterScripted: true);
        await using var connection = await RedisConnection.ConnectAsync($"127.0.0.1:{server.Port}");
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.GetAsync("k"));
        Assert.Equal(ConnectionFailureType.SocketClosed, error.FailureType);
        await connection.PingAsync();
    }

    [Fact]
    public async Task Replies_split_into_single_bytes_are_reassembled()
    {
        var reply = Encoding.ASCII.GetBytes("*3\r\n$3\r\nabc\r\n:-42\r\n*2\r\n$-1\r\n+x y\r\n");
        await using var server = new FakeServer([reply], then: "+PONG\r\n", byteByByte: true);
        await using var connection = await RedisConnection.ConnectAsync($"127.0.0.1:{server.Port}");
        var result = await connection.ExecuteAsync("X");
        Assert.Equal("abc", (string?)result[0]);
        Assert.Equal(-42L, (long)result[1]);
        Assert.True(result[2][0].IsNull);
        Assert.Equal(RedisResultType.SimpleString, result[2][1].Type);
        Assert.Equal("x y", result[2][1].ToString());
    }

    /// <summary>
    /// Accepts connections; on the first one answers the first command with each scripted reply in turn, then
    /// (on every later command and connection) with <c>then</c>. Reads whole commands so replies stay one per command.
    /// </summary>
    private sealed class FakeServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Queue<byte[]> _scripted;
        private readonly byte[] _then;
        private readonly bool _closeAfterScripted;
        private readonly bool _byteByByte;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _connections;

        public FakeServer(byte[][] scripted, string then, bool closeAfterScripted = false, bool byteByByte = false)
        {
            _scripted = new Queue<byte[]>(scripted);
            _then = Encoding.ASCII.GetBytes(then);
            _closeAfterScripted = closeAfterScripted;
            _byteByByte = byteByByte;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.Latin1);
                try
                {
                    while (await ReadCommandAsync(reader))
                    {
                        byte[]? reply;
                        var scripted = false;
                        lock (_scripted)
                        {
                            scripted = _scripted.TryDequeue(out reply);
                        }
                        reply ??= _then;
                        if (_byteByByte)
                        {
                            foreach (var b in reply)
                            {
                                await stream.WriteAsync(new[] { b }, _stop.Token);
                                await stream.FlushAsync(_stop.Token);
                            }
                        }
                        else
                        {
                            await stream.WriteAsync(reply, _stop.Token);
                        }
                        if (scripted && _closeAfterScripted)
                        {
                            return;
                        }
                    }
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                }
            }
        }

        /// <summary>Reads one RESP command (array of bulk strings); false at end of stream.</summary>
        private static async Task<bool> ReadCommandAsync(StreamReader reader)
        {
            var header = await reader.ReadLineAsync();
            if (header is null)
            {
                return false;
            }
            var count = int.Parse(header[1..], System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < count * 2; i++)
            {
                if (await reader.ReadLineAsync() is null)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
