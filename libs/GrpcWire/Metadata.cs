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

    /// <summary>Adds an ASCII entry. Throws when the key is not a valid metadata key, ends in -bin, or the value is not printable ASCII.</summary>
    public void Add(string key, string value)
    {
        key = NormalizeKey(key);
        if (key.EndsWith(BinarySuffix, StringComparison.Ordinal))
            throw new ArgumentException($"Key '{key}' ends in {BinarySuffix}: add a byte[] value instead.", nameof(key));
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
            if (c is < ' ' or > '~')
                throw new ArgumentException($"Metadata value for '{key}' must be printable ASCII; use a -bin key for other data.", nameof(value));
        entries.Add(new Entry(key, value, null));
    }

    /// <summary>Adds a binary entry; the key must end in -bin.</summary>
    public void Add(string key, byte[] value)
    {
        key = NormalizeKey(key);
        if (!key.EndsWith(BinarySuffix, StringComparison.Ordinal))
            throw new ArgumentException($"Binary metadata key '{key}' must end in {BinarySuffix}.", nameof(key));
        ArgumentNullException.ThrowIfNull(value);
        entries.Add(new Entry(key, null, value));
    }

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

    /// <summary>Every entry with <paramref name="key"/>, in the order received or added.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        key = key.ToLowerInvariant();
        return entries.Where(e => e.Key == key);
    }

    public int Count => entries.Count;
    public IEnumerator<Entry> GetEnumerator() => entries.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds a value received from the wire, trusting the peer's characters (lenient on receive).</summary>
    internal void AddReceived(string key, string value) => entries.Add(new Entry(key, value, null));
    internal void AddReceived(string key, byte[] value) => entries.Add(new Entry(key, null, value));
    internal void AddEntry(Entry entry) => entries.Add(entry);

    /// <summary>Keys are lower-case letters, digits, '-', '_' and '.', and never start with "grpc-" (reserved).</summary>
    private static string NormalizeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        key = key.ToLowerInvariant();
        foreach (var c in key)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
                throw new ArgumentException($"Metadata key '{key}' contains '{c}'; allowed are a-z 0-9 - _ .", nameof(key));
        if (key.StartsWith("grpc-", StringComparison.Ordinal))
            throw new ArgumentException($"Metadata keys starting with 'grpc-' are reserved: '{key}'.", nameof(key));
        return key;
    }

    public sealed record Entry(string Key, string? Value, byte[]? ValueBytes)
    {
        public bool IsBinary => Key.EndsWith(BinarySuffix, StringComparison.Ordinal);
    }
}
