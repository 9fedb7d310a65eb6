using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace HrmsAttendance.Resp;

/// <summary>
/// A binary-safe value sent to or read from Redis: bytes, or <see cref="Null"/> (a missing key). Converts
/// implicitly from <see cref="string"/> (UTF-8), <see cref="byte"/>[], <see cref="long"/>, <see cref="int"/> and
/// <see cref="double"/> (their decimal text, as Redis expects numbers), and explicitly back.
/// Mirrors StackExchange.Redis' <c>RedisValue</c>.
/// </summary>
public readonly struct RedisValue : IEquatable<RedisValue>
{
    private readonly byte[]? _bytes;

    private RedisValue(byte[]? bytes) => _bytes = bytes;

    public static RedisValue Null => default;

    public static RedisValue EmptyString { get; } = new([]);

    public bool IsNull => _bytes is null;

    public bool HasValue => _bytes is not null;

    /// <summary>The bytes; empty for <see cref="Null"/>.</summary>
    public ReadOnlyMemory<byte> Memory => _bytes ?? ReadOnlyMemory<byte>.Empty;

    public int Length => _bytes?.Length ?? 0;

    /// <summary>Wraps the array without copying: do not change it afterwards.</summary>
    internal static RedisValue FromOwnedBytes(byte[] bytes) => new(bytes);

    public static implicit operator RedisValue(string? value) => value is null ? Null : new(Encoding.UTF8.GetBytes(value));

    public static implicit operator RedisValue(byte[]? value) => value is null ? Null : new((byte[])value.Clone());

    public static implicit operator RedisValue(ReadOnlyMemory<byte> value) => new(value.ToArray());

    public static implicit operator RedisValue(long value) => new(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));

    public static implicit operator RedisValue(int value) => (long)value;

    public static implicit operator RedisValue(double value) => new(Encoding.ASCII.GetBytes(
        double.IsPositiveInfinity(value) ? "+inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>UTF-8 text, or null for <see cref="Null"/>.</summary>
    public static explicit operator string?(RedisValue value) => value._bytes is null ? null : Encoding.UTF8.GetString(value._bytes);

    /// <summary>A copy of the bytes, or null for <see cref="Null"/>.</summary>
    public static explicit operator byte[]?(RedisValue value) => (byte[]?)value._bytes?.Clone();

    /// <summary>The value as a decimal integer; throws <see cref="InvalidCastException"/> if it is not one.</summary>
    public static explicit operator long(RedisValue value)
    {
        if (value._bytes is { } bytes && Utf8Parser.TryParse(bytes, out long parsed, out var consumed) && consumed == bytes.Length)
        {
            return parsed;
        }
        throw new InvalidCastException($"The value '{value}' is not an integer.");
    }

    public static explicit operator long?(RedisValue value) => value.IsNull ? null : (long)value;

    public static explicit operator double(RedisValue value)
    {
        var text = (string?)value;
        if (text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }
        throw new InvalidCastException($"The value '{value}' is not a number.");
    }

    public static bool operator ==(RedisValue left, RedisValue right) => left.Equals(right);

    public static bool operator !=(RedisValue left, RedisValue right) => !left.Equals(right);

    public bool Equals(RedisValue other) =>
        _bytes is null ? other._bytes is null : other._bytes is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is RedisValue other && Equals(other);

    public override int GetHashCode()
    {
        if (_bytes is null)
        {
            return 0;
        }
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    /// <summary>UTF-8 text ("" for <see cref="Null"/>).</summary>
    public override string ToString() => (string?)this ?? "";
}
