using System.Collections.Concurrent;
using System.Diagnostics;
using HrmsAttendance.Resp.Protocol;

namespace HrmsAttendance.Resp;

/// <summary>
/// A connection to one Redis server, safe for concurrent callers: commands are pipelined on a single TCP
/// connection and each caller gets its own reply. When the connection fails (server gone, reset after a timeout,
/// garbage received) the calls in flight fail with <see cref="RedisConnectionException"/> and the next call opens
/// a new connection (with AUTH). Calls are never retried: a failed call may or may not have run on the server.
/// <para>
/// Per call: <see cref="RedisConnectionOptions.AsyncTimeout"/> bounds the wait for the reply (then
/// <see cref="RedisTimeoutException"/> and the connection is reset); the cancellation token stops the caller
/// waiting and leaves the connection usable (the reply, when it comes, is read and dropped).
/// </para>
/// Stands in for StackExchange.Redis' <c>ConnectionMultiplexer</c> + <c>IDatabase</c>, for the few commands we use.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly RedisConnectionOptions _options;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, string> _scripts = new(StringComparer.OrdinalIgnoreCase);
    private PhysicalConnection? _current;
    private Task<PhysicalConnection>? _connecting;
    private bool _disposed;

    private RedisConnection(RedisConnectionOptions options) => _options = options;

    public RedisConnectionOptions Options => _options;

    /// <summary>True while a TCP connection is open and has not failed (no I/O is done to find out).</summary>
    public bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                return _current is { IsFailed: false };
            }
        }
    }

    /// <summary>
    /// Parses a StackExchange.Redis-style connection string (<c>127.0.0.1:6379,password=…</c>, see
    /// <see cref="RedisConnectionOptions.Parse"/>) and connects (AUTH included), unless it says <c>abortConnect=false</c>.
    /// </summary>
    public static Task<RedisConnection> ConnectAsync(string connectionString, CancellationToken cancellationToken = default) =>
        ConnectAsync(RedisConnectionOptions.Parse(connectionString), cancellationToken);

    public static async Task<RedisConnection> ConnectAsync(RedisConnectionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = new RedisConnection(options);
        if (options.AbortOnConnectFail)
        {
            try
            {
                await connection.GetConnectionAsync(cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        return connection;
    }

    /// <summary>PING; returns the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await ExecuteAsync("PING", [], cancellationToken);
        if (reply.ToString() != "PONG")
        {
            throw new RedisConnectionException(ConnectionFailureType.ProtocolFailure, $"PING was answered with '{reply}'.");
        }
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>GET; <see cref="RedisValue.Null"/> when the key does not exist.</summary>
    public async Task<RedisValue> GetAsync(string key, CancellationToken cancellationToken = default) =>
        (RedisValue)await ExecuteAsync("GET", [Key(key)], cancellationToken);

    /// <summary>
    /// SET with an optional expiry (<c>PX</c>, millisecond precision, rounded up) and condition (<c>NX</c> / <c>XX</c>).
    /// Returns false when the condition kept the value from being set.
    /// </summary>
    public async Task<bool> SetAsync(string key, RedisValue value, TimeSpan? expiry = null, When when = When.Always,
        CancellationToken cancellationToken = default)
    {
        if (value.IsNull)
        {
            throw new ArgumentException("Cannot SET a null value; use DeleteAsync to remove a key.", nameof(value));
        }
        var args = new List<RedisValue>(5) { Key(key), value };
        if (expiry is { } ttl)
        {
            if (ttl <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(expiry), ttl, "The expiry must be positive.");
            }
            args.Add("PX");
            args.Add((long)Math.Ceiling(ttl.TotalMilliseconds));
        }
        switch (when)
        {
            case When.Always:
                break;
            case When.Exists:
                args.Add("XX");
                break;
            case When.NotExists:
                args.Add("NX");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(when), when, null);
        }
        var reply = await ExecuteAsync("SET", [.. args], cancellationToken);
        return !reply.IsNull;
    }

    /// <summary>DEL of one key; true if it existed.</summary>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (long)await ExecuteAsync("DEL", [Key(key)], cancellationToken) > 0;

    /// <summary>
    /// SCRIPT LOAD; returns the script's SHA1. The connection remembers the script, so <see cref="EvalShaAsync"/>
    /// can send it with EVAL when the server has lost it (restart, SCRIPT FLUSH).
    /// </summary>
    public async Task<string> ScriptLoadAsync(string script, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        var sha = (await ExecuteAsync("SCRIPT", ["LOAD", script], cancellationToken)).ToString();
        _scripts[sha] = script;
        return sha;
    }

    /// <summary>
    /// EVALSHA. On <c>NOSCRIPT</c>, if the script was loaded through this connection, runs it with EVAL instead
    /// (which also caches it on the server again). A script error is thrown as <see cref="RedisServerException"/>.
    /// </summary>
    public async Task<RedisResult> EvalShaAsync(string sha1, IReadOnlyList<string> keys, IReadOnlyList<RedisValue> args,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sha1);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            return await ExecuteAsync("EVALSHA", ScriptArguments(sha1, keys, args), cancellationToken);
        }
        catch (RedisServerException e) when (e.ErrorCode == "NOSCRIPT" && _scripts.TryGetValue(sha1, out var script))
        {
            return await ExecuteAsync("EVAL", ScriptArguments(script, keys, args), cancellationToken);
        }
    }

    /// <summary>Any command, e.g. <c>ExecuteAsync("INCR", "counter")</c>. An error reply throws <see cref="RedisServerException"/>.</summary>
    public Task<RedisResult> ExecuteAsync(string command, params RedisValue[] args) =>
        ExecuteAsync(command, args, CancellationToken.None);

    public async Task<RedisResult> ExecuteAsync(string command, RedisValue[] args, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        var encoded = RespWriter.Encode(command, args);
        var name = command.ToUpperInvariant();
        RedisResult reply;
        try
        {
            var connection = await GetConnectionAsync(cancellationToken);
            reply = await connection.SendAsync(encoded, name, _options.AsyncTimeout, cancellationToken);
        }
        catch (RedisConnectionException e) when (e.CommandNotSent)
        {
            // The connection died between our taking it and writing to it: nothing was sent, so a new one is safe.
            var connection = await GetConnectionAsync(cancellationToken);
            reply = await connection.SendAsync(encoded, name, _options.AsyncTimeout, cancellationToken);
        }
        return reply.ThrowIfError();
    }

    /// <summary>Closes the connection; calls in flight fail, later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        PhysicalConnection? current;
        Task<PhysicalConnection>? connecting;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            current = _current;
            connecting = _connecting;
            _current = null;
        }
        if (current is not null)
        {
            await current.DisposeAsync();
        }
        if (connecting is not null)
        {
            try
            {
                await (await connecting).DisposeAsync();
            }
            catch (Exception)
            {
                // it failed or was already disposed by the connect itself; nothing to close
            }
        }
    }

    public override string ToString() => $"RedisConnection({_options})";

    /// <summary>The open connection, or one shared attempt to open a new one (callers arriving meanwhile join it).</summary>
    private Task<PhysicalConnection> GetConnectionAsync(CancellationToken ct)
    {
        Task<PhysicalConnection> connecting;
        PhysicalConnection? failed = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is { IsFailed: false } current)
            {
                return Task.FromResult(current);
            }
            if (_current is not null)
            {
                failed = _current;
                _current = null;
            }
            if (_connecting is null)
            {
                _connecting = ConnectCoreAsync();
                // Every waiter may have given up (cancelled); observe the failure so it is not reported as unobserved.
                _ = _connecting.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            connecting = _connecting;
        }
        if (failed is not null)
        {
            _ = failed.DisposeAsync().AsTask();
        }
        return connecting.WaitAsync(ct);
    }

    private async Task<PhysicalConnection> ConnectCoreAsync()
    {
        await Task.Yield(); // never run the connect inside the caller's lock
        PhysicalConnection? connection = null;
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            try
            {
                connection = await PhysicalConnection.OpenAsync(_options, timeout.Token);
                await HandshakeAsync(connection);
            }
            catch (Exception e) when (e is RedisTimeoutException || (e is OperationCanceledException && timeout.IsCancellationRequested))
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect,
                    $"Could not connect to Redis at {_options.EndPointText} within {_options.ConnectTimeout.TotalMilliseconds:0} ms (connectTimeout).");
            }
            lock (_gate)
            {
                _connecting = null;
                if (!_disposed)
                {
                    _current = connection;
                    return connection;
                }
            }
            throw new ObjectDisposedException(nameof(RedisConnection));
        }
        catch
        {
            lock (_gate)
            {
                _connecting = null;
            }
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            throw;
        }
    }

    private async Task HandshakeAsync(PhysicalConnection connection)
    {
        if (_options.Password is { } password)
        {
            RedisValue[] auth = _options.User is { } user ? [user, password] : [password];
            var reply = await connection.SendAsync(RespWriter.Encode("AUTH", auth), "AUTH", _options.ConnectTimeout, CancellationToken.None);
            if (reply.Type == RedisResultType.Error)
            {
                throw new RedisConnectionException(ConnectionFailureType.AuthenticationFailure,
                    $"Redis at {_options.EndPointText} refused the credentials: {reply}",
                    new RedisServerException(reply.ToString()));
            }
        }
        if (_options.DefaultDatabase != 0)
        {
            var reply = await connection.SendAsync(RespWriter.Encode("SELECT", [_options.DefaultDatabase]), "SELECT",
                _options.ConnectTimeout, CancellationToken.None);
            if (reply.Type == RedisResultType.Error)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect,
                    $"Redis at {_options.EndPointText} refused SELECT {_options.DefaultDatabase}: {reply}");
            }
        }
    }

    private static RedisValue Key(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key;
    }

    private static RedisValue[] ScriptArguments(RedisValue scriptOrSha, IReadOnlyList<string> keys, IReadOnlyList<RedisValue> args)
    {
        var all = new RedisValue[2 + keys.Count + args.Count];
        all[0] = scriptOrSha;
        all[1] = keys.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            all[2 + i] = Key(keys[i]);
        }
        for (var i = 0; i < args.Count; i++)
        {
            all[2 + keys.Count + i] = args[i];
        }
        return all;
    }
}
