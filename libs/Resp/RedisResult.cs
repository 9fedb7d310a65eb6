using System.Text;

namespace HrmsAttendance.Resp;

/// <summary>The RESP2 reply types.</summary>
public enum RedisResultType
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,

    /// <summary>A nil bulk string (<c>$-1</c>) or nil array (<c>*-1</c>).</summary>
    Nil,
}

/// <summary>
/// One reply from the server, as returned by <see cref="RedisConnection.ExecuteAsync(string, RedisValue[])"/> and
/// <see cref="RedisConnection.EvalShaAsync"/>: an integer, a (bulk or simple) string, an array of replies, or nil.
/// An error reply at the top level is thrown as <see cref="RedisServerException"/>; inside an array it stays an
/// element of type <see cref="RedisResultType.Error"/>. Mirrors StackExchange.Redis' <c>RedisResult</c>.
/// </summary>
public sealed class RedisResult
{
    private static readonly RedisResult[] NoElements = [];

    private readonly byte[]? _bytes;
    private readonly long _integer;
    private readonly RedisResult[]? _elements;

    private RedisResult(RedisResultType type, byte[]? bytes, long integer, RedisResult[]? elements)
    {
        Type = type;
        _bytes = bytes;
        _integer = integer;
        _elements = elements;
    }

    public static RedisResult Nil { get; } = new(RedisResultType.Nil, null, 0, null);

    public RedisResultType Type { get; }

    public bool IsNull => Type == RedisResultType.Nil;

    /// <summary>The number of elements of an array reply (0 for any other type).</summary>
    public int Length => _elements?.Length ?? 0;

    public RedisResult this[int index] => (_elements ?? NoElements)[index];

    internal static RedisResult SimpleString(byte[] text) => new(RedisResultType.SimpleString, text, 0, null);

    internal static RedisResult Error(byte[] text) => new(RedisResultType.Error, text, 0, null);

    internal static RedisResult Integer(long value) => new(RedisResultType.Integer, null, value, null);

    internal static RedisResult BulkString(byte[] bytes) => new(RedisResultType.BulkString, bytes, 0, null);

    internal static RedisResult Array(RedisResult[] elements) => new(RedisResultType.Array, null, 0, elements);

    /// <summary>Throws <see cref="RedisServerException"/> if this is an error reply.</summary>
    internal RedisResult ThrowIfError() =>
        Type == RedisResultType.Error ? throw new RedisServerException(ToString()) : this;

    /// <summary>The integer of an integer reply, or a string reply parsed as one.</summary>
    public static explicit operator long(RedisResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Type switch
        {
            RedisResultType.Integer => result._integer,
            RedisResultType.SimpleString or RedisResultType.BulkString => (long)result.AsRedisValue(),
            _ => throw new InvalidCastException($"A {result.Type} reply is not an integer."),
        };
    }

    public static explicit operator long?(RedisResult result) => result is null || result.IsNull ? null : (long)result;

    public static explicit operator string?(RedisResult result) => result?.IsNull != false ? null : result.ToString();

    /// <summary>The bytes of a string reply (a copy), null for nil.</summary>
    public static explicit operator byte[]?(RedisResult result) => (byte[]?)(result ?? Nil).AsRedisValue();

    public static explicit operator RedisValue(RedisResult result) => (result ?? Nil).AsRedisValue();

    /// <summary>The elements of an array reply (nil gives null).</summary>
    public static explicit operator RedisResult[]?(RedisResult result)
    {
        if (result is null || result.IsNull)
        {
            return null;
        }
        return result._elements is { } elements
            ? (RedisResult[])elements.Clone()
            : throw new InvalidCastException($"A {result.Type} reply is not an array.");
    }

    /// <summary>The value of a string or integer reply (its decimal text); <see cref="RedisValue.Null"/> for nil.</summary>
    public RedisValue AsRedisValue() => Type switch
    {
        RedisResultType.Nil => RedisValue.Null,
        RedisResultType.Integer => _integer,
        RedisResultType.Array => throw new InvalidCastException("An array reply is not a single value."),
        _ => RedisValue.FromOwnedBytes(_bytes!),
    };

    /// <summary>Strings and errors as UTF-8 text, integers in decimal, arrays as a bracketed list, nil as "(nil)".</summary>
    public override string ToString() => Type switch
    {
        RedisResultType.Nil => "(nil)",
        RedisResultType.Integer => _integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        RedisResultType.Array => "[" + string.Join(", ", _elements!.Select(e => e.ToString())) + "]",
        _ => Encoding.UTF8.GetString(_bytes!),
    };
}
