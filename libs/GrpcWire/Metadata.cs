using System.Collections;

namespace HrmsAttendance.GrpcWire;

/// <summary>
/// gRPC metadata (headers or trailers). Keys are lower-case; keys ending in <c>-bin</c> carry
/// binary values (base64 on the wire), all others ASCII strings.
/// </summary>
public sealed class Metadata : IEnumerable<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";
    private readonly List<Entry> entries = [];

    public void Add(string key, string value) => entries.Add(new Entry(key.ToLowerInvariant(), value, null));
    public void Add(string key, byte[] value) => entries.Add(new Entry(key.ToLowerInvariant(), null, value));

    /// <summary>The first ASCII value for <paramref name="key"/>, or null.</summary>
    public string? GetValue(string key)
    {
        key = key.ToLowerInvariant();
        foreach (var e in entries) if (e.Key == key && e.Value is not null) return e.Value;
        return null;
    }

    /// <summary>The first binary value for <paramref name="key"/> (which ends in -bin), or null.</summary>
    public byte[]? GetBytes(string key)
    {
        key = key.ToLowerInvariant();
        foreach (var e in entries) if (e.Key == key && e.ValueBytes is not null) return e.ValueBytes;
        return null;
    }

    public int Count => entries.Count;
    public IEnumerator<Entry> GetEnumerator() => entries.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public sealed record Entry(string Key, string? Value, byte[]? ValueBytes)
    {
        public bool IsBinary => Key.EndsWith(BinarySuffix, StringComparison.Ordinal);
    }
}
