namespace HrmsAttendance.Resp;

/// <summary>Why a connection could not be used (a subset of StackExchange.Redis' <c>ConnectionFailureType</c>).</summary>
public enum ConnectionFailureType
{
    /// <summary>The TCP connection could not be opened (refused, unresolvable host, connect timeout).</summary>
    UnableToConnect,

    /// <summary>The server refused the credentials (AUTH failed).</summary>
    AuthenticationFailure,

    /// <summary>Reading or writing the socket failed, or the connection was reset after a timed-out call.</summary>
    SocketFailure,

    /// <summary>The server closed the connection.</summary>
    SocketClosed,

    /// <summary>The server sent something that is not a well-formed RESP2 reply (or one over the size limits).</summary>
    ProtocolFailure,

    /// <summary>The <see cref="RedisConnection"/> was disposed.</summary>
    ConnectionDisposed,
}

/// <summary>Base of the exceptions about talking to Redis (as in StackExchange.Redis).</summary>
public class RedisException : Exception
{
    public RedisException(string message) : base(message)
    {
    }

    public RedisException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// The server answered with an error reply (<c>-ERR …</c>, <c>-WRONGTYPE …</c>, <c>-NOSCRIPT …</c>). The message is
/// the error text exactly as the server sent it. The connection stays usable.
/// </summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException(string message) : base(message)
    {
    }

    /// <summary>The first word of the error, e.g. <c>ERR</c>, <c>NOSCRIPT</c>, <c>WRONGPASS</c>.</summary>
    public string ErrorCode => Message.Split(' ', 2)[0];
}

/// <summary>
/// The connection failed: could not connect, was refused the password, closed, or the server spoke garbage.
/// A call that fails this way may or may not have been executed by the server; the next call reconnects.
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException(ConnectionFailureType failureType, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FailureType = failureType;
    }

    public ConnectionFailureType FailureType { get; }

    /// <summary>True when the command was never written (the connection had already failed): safe to send again.</summary>
    internal bool CommandNotSent { get; init; }
}

/// <summary>
/// No reply within the connection's <c>asyncTimeout</c>. The connection was reset (so a late reply cannot be taken
/// for the answer to a later command); the next call reconnects. The command may have been executed.
/// </summary>
public sealed class RedisTimeoutException : TimeoutException
{
    public RedisTimeoutException(string message) : base(message)
    {
    }
}
