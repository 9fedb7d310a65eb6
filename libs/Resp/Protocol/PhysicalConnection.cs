using System.Net;
using System.Net.Sockets;

namespace HrmsAttendance.Resp.Protocol;

/// <summary>
/// One TCP connection, pipelined: callers write their commands one at a time (a write lock keeps each command's
/// bytes together and its place in the reply queue in step with the write order) and a single read loop hands each
/// reply to the oldest waiting caller. Because only the read loop reads, a caller that stops waiting (cancellation)
/// cannot leave half a reply in the stream: its slot stays in the queue and its reply is read and dropped.
/// Anything that could leave the stream out of step — a failed or timed-out write, a reply that does not arrive in
/// time, garbage from the server — fails the whole connection: every waiting caller gets an exception, the socket
/// is closed, and <see cref="RedisConnection"/> opens a new one for the next call.
/// </summary>
internal sealed class PhysicalConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly RespReader _reader;
    private readonly string _endPoint;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<TaskCompletionSource<RedisResult>> _pending = new();
    private Exception? _failure;
    private Task _readLoop = Task.CompletedTask;

    private PhysicalConnection(Socket socket, string endPoint, int maxBulkLength)
    {
        _socket = socket;
        _endPoint = endPoint;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new RespReader(_stream, maxBulkLength);
    }

    public bool IsFailed => Volatile.Read(ref _failure) is not null;

    /// <summary>Opens the TCP connection (no AUTH: the caller sends it as its first command).</summary>
    public static async Task<PhysicalConnection> OpenAsync(RedisConnectionOptions options, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            await socket.ConnectAsync(new DnsEndPoint(options.Host, options.Port), ct);
        }
        catch (Exception e)
        {
            socket.Dispose();
            if (e is OperationCanceledException)
            {
                throw;
            }
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect,
                $"Could not connect to Redis at {options.EndPointText}: {e.Message}", e);
        }
        var connection = new PhysicalConnection(socket, options.EndPointText, options.MaxBulkLength);
        connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
        return connection;
    }

    /// <summary>
    /// Sends one encoded command and waits for its reply (error replies are returned, not thrown).
    /// <paramref name="timeout"/> covers the whole call; when it passes the connection is failed.
    /// <paramref name="ct"/> only stops this caller waiting.
    /// </summary>
    public async Task<RedisResult> SendAsync(byte[] command, string commandName, TimeSpan timeout, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var started = Environment.TickCount64;
        if (!await _writeLock.WaitAsync(timeout, ct))
        {
            // Another caller's write is stuck; that caller fails the connection when its own time runs out.
            throw TimedOut(commandName, timeout, "waiting to send", reset: false);
        }
        var reply = new TaskCompletionSource<RedisResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            lock (_pending)
            {
                if (_failure is not null)
                {
                    throw new RedisConnectionException(ConnectionFailureType.SocketFailure,
                        $"The connection to Redis at {_endPoint} had failed before {commandName} was sent: {_failure.Message}", _failure)
                    {
                        CommandNotSent = true,
                    };
                }
                _pending.Enqueue(reply);
            }
            // Not the caller's token: a write cut short would leave half a command on the wire.
            using var writeTimeout = new CancellationTokenSource(Remaining(timeout, started));
            try
            {
                await _stream.WriteAsync(command, writeTimeout.Token);
            }
            catch (Exception e)
            {
                var failure = e is OperationCanceledException
                    ? TimedOut(commandName, timeout, "sending", reset: true)
                    : (Exception)new RedisConnectionException(ConnectionFailureType.SocketFailure,
                        $"Sending {commandName} to Redis at {_endPoint} failed: {e.Message}", e);
                Fail(failure);
                throw failure;
            }
        }
        finally
        {
            _writeLock.Release();
        }

        try
        {
            return await reply.Task.WaitAsync(Remaining(timeout, started), ct);
        }
        catch (TimeoutException)
        {
            var failure = TimedOut(commandName, timeout, "waiting for the reply", reset: true);
            Fail(failure);
            throw failure;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Our slot stays queued; the read loop drops its reply. Observe a later failure so it is not "unobserved".
            _ = reply.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new RedisConnectionException(ConnectionFailureType.ConnectionDisposed, "The connection was disposed."));
        await _readLoop.ConfigureAwait(false);
        // _writeLock is not disposed: callers still queued on it must get in, see the failure and move on to a new
        // connection (it holds no unmanaged resource unless AvailableWaitHandle is used, which it is not).
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(CancellationToken.None);
                TaskCompletionSource<RedisResult>? waiter;
                lock (_pending)
                {
                    _pending.TryDequeue(out waiter);
                }
                if (waiter is null)
                {
                    throw new RedisConnectionException(ConnectionFailureType.ProtocolFailure,
                        $"Redis at {_endPoint} sent a reply nobody asked for ('{result}'); the connection was dropped.");
                }
                waiter.TrySetResult(result);
            }
        }
        catch (Exception e)
        {
            Fail(e switch
            {
                RedisConnectionException => e,
                _ when IsFailed => e, // we closed the socket ourselves; Fail keeps the first reason
                _ => new RedisConnectionException(ConnectionFailureType.SocketFailure,
                    $"Reading from Redis at {_endPoint} failed: {e.Message}", e),
            });
        }
    }

    /// <summary>Marks the connection failed (first reason wins), fails every waiting caller, closes the socket.</summary>
    private void Fail(Exception reason)
    {
        TaskCompletionSource<RedisResult>[] waiting;
        lock (_pending)
        {
            if (_failure is not null)
            {
                return;
            }
            _failure = reason;
            waiting = [.. _pending];
            _pending.Clear();
        }
        foreach (var waiter in waiting)
        {
            waiter.TrySetException(Rethrowable(reason));
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already gone
        }
        _stream.Dispose();
    }

    /// <summary>A fresh exception per caller (one instance thrown from many awaits would pile up their stack traces).</summary>
    private static Exception Rethrowable(Exception reason) => reason switch
    {
        RedisConnectionException c => new RedisConnectionException(c.FailureType, c.Message, c.InnerException),
        RedisTimeoutException t => new RedisConnectionException(ConnectionFailureType.SocketFailure,
            $"The connection was reset: {t.Message}"),
        _ => new RedisConnectionException(ConnectionFailureType.SocketFailure, reason.Message, reason),
    };

    private RedisTimeoutException TimedOut(string commandName, TimeSpan timeout, string stage, bool reset) =>
        new($"Redis at {_endPoint} did not complete {commandName} within {timeout.TotalMilliseconds:0} ms ({stage})" +
            (reset ? "; the connection was reset." : "."));

    private static TimeSpan Remaining(TimeSpan timeout, long started)
    {
        var left = timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }
}
