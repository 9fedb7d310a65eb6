using System.Globalization;

namespace HrmsAttendance.Resp;

/// <summary>
/// Where and how to connect, parsed from a StackExchange.Redis-style connection string:
/// <c>host:port,password=…,user=…,connectTimeout=ms,asyncTimeout=ms,abortConnect=bool,defaultDatabase=n,ssl=false</c>.
/// One endpoint only; TLS is not supported (<c>ssl=true</c> is refused).
/// </summary>
public sealed class RedisConnectionOptions
{
    public const int DefaultPort = 6379;

    /// <summary>Redis' own limit on a bulk string (<c>proto-max-bulk-len</c>).</summary>
    public const int DefaultMaxBulkLength = 512 * 1024 * 1024;

    public required string Host { get; init; }

    public int Port { get; init; } = DefaultPort;

    /// <summary>Sent with AUTH on every (re)connect; null sends no AUTH.</summary>
    public string? Password { get; init; }

    /// <summary>ACL user for <c>AUTH user password</c>; null uses the default user.</summary>
    public string? User { get; init; }

    /// <summary>Opening the TCP connection plus AUTH (and SELECT). StackExchange.Redis' default, 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a call waits for its reply once the connection is open. When it passes, the call throws
    /// <see cref="RedisTimeoutException"/> and the connection is reset. StackExchange.Redis' default, 5 s.
    /// </summary>
    public TimeSpan AsyncTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// True (the default): <see cref="RedisConnection.ConnectAsync(RedisConnectionOptions, CancellationToken)"/> connects
    /// and throws if it cannot. False: it returns at once and the first call connects (and every call after a
    /// failure retries), so a service can start while Redis is down.
    /// </summary>
    public bool AbortOnConnectFail { get; init; } = true;

    /// <summary>Selected with SELECT on every (re)connect when not 0.</summary>
    public int DefaultDatabase { get; init; }

    /// <summary>Replies with a longer bulk string are refused as a protocol failure (and the connection reset).</summary>
    public int MaxBulkLength { get; init; } = DefaultMaxBulkLength;

    /// <summary>Parses <c>host[:port][,key=value…]</c>; keys are case-insensitive; unknown keys are refused.</summary>
    public static RedisConnectionOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        string? host = null;
        var port = DefaultPort;
        string? password = null, user = null;
        var connectTimeout = TimeSpan.FromSeconds(5);
        var asyncTimeout = TimeSpan.FromSeconds(5);
        var abortConnect = true;
        var database = 0;

        foreach (var rawPart in connectionString.Split(','))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                continue;
            }
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (host is not null)
                {
                    throw new NotSupportedException(
                        $"Only one endpoint is supported; the connection string names '{host}:{port}' and '{part}'.");
                }
                (host, port) = ParseEndPoint(part);
                continue;
            }
            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            switch (key.ToLowerInvariant())
            {
                case "password":
                    password = value;
                    break;
                case "user":
                    user = value;
                    break;
                case "connecttimeout":
                    connectTimeout = ParseMilliseconds(key, value);
                    break;
                case "asynctimeout":
                case "synctimeout":
                    asyncTimeout = ParseMilliseconds(key, value);
                    break;
                case "abortconnect":
                    abortConnect = ParseBoolean(key, value);
                    break;
                case "defaultdatabase":
                    database = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var db)
                        ? db
                        : throw new ArgumentException($"defaultDatabase must be a non-negative integer, not '{value}'.", nameof(connectionString));
                    break;
                case "ssl":
                    if (ParseBoolean(key, value))
                    {
                        throw new NotSupportedException("ssl=true is not supported by this client: it speaks plain TCP only.");
                    }
                    break;
                default:
                    throw new ArgumentException(
                        $"Unsupported connection string option '{key}'. Supported: password, user, connectTimeout, " +
                        "asyncTimeout (syncTimeout), abortConnect, defaultDatabase, ssl=false.", nameof(connectionString));
            }
        }
        if (host is null)
        {
            throw new ArgumentException("The connection string names no endpoint (host:port).", nameof(connectionString));
        }
        return new RedisConnectionOptions
        {
            Host = host,
            Port = port,
            Password = password,
            User = user,
            ConnectTimeout = connectTimeout,
            AsyncTimeout = asyncTimeout,
            AbortOnConnectFail = abortConnect,
            DefaultDatabase = database,
        };
    }

    /// <summary>The connection string, with the password shown as ***** (safe to log).</summary>
    public override string ToString()
    {
        var text = $"{EndPointText}";
        if (Password is not null)
        {
            text += ",password=*****";
        }
        if (User is not null)
        {
            text += $",user={User}";
        }
        return text;
    }

    internal string EndPointText => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    private static (string Host, int Port) ParseEndPoint(string text)
    {
        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException($"Invalid endpoint '{text}': missing ']'.");
            }
            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                portText = rest.StartsWith(':') ? rest[1..] : throw new ArgumentException($"Invalid endpoint '{text}'.");
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                host = text; // a bare IPv6 address
            }
            else if (colon >= 0)
            {
                host = text[..colon];
                portText = text[(colon + 1)..];
            }
            else
            {
                host = text;
            }
        }
        if (host.Length == 0)
        {
            throw new ArgumentException($"Invalid endpoint '{text}': no host.");
        }
        var port = DefaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new ArgumentException($"Invalid port in endpoint '{text}'.");
        }
        return (host, port);
    }

    private static TimeSpan ParseMilliseconds(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : throw new ArgumentException($"{key} must be a positive number of milliseconds, not '{value}'.");

    private static bool ParseBoolean(string key, string value) =>
        bool.TryParse(value, out var parsed) ? parsed : throw new ArgumentException($"{key} must be true or false, not '{value}'.");
}
