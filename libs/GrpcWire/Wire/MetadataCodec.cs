namespace HrmsAttendance.GrpcWire.Wire;

/// <summary>Metadata values on the wire: ASCII as is, <c>-bin</c> values base64.</summary>
internal static class MetadataCodec
{
    /// <summary>The spec asks senders for unpadded base64 and receivers to accept both.</summary>
    public static string EncodeBinary(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    public static byte[] DecodeBinary(string value)
    {
        var trimmed = value.Trim();
        var padding = (4 - trimmed.Length % 4) % 4;
        if (padding == 3) throw new FormatException("Invalid base64 length in binary metadata.");
        return Convert.FromBase64String(trimmed + new string('=', padding));
    }

    public static string ToHeaderValue(Metadata.Entry entry) =>
        entry.ValueBytes is { } bytes ? EncodeBinary(bytes) : entry.Value ?? "";

    /// <summary>
    /// Adds one received header to <paramref name="metadata"/> unless it is reserved. A binary header may
    /// carry several comma-separated values; a malformed binary value is skipped rather than failing the call.
    /// </summary>
    public static void AddReceivedHeader(Metadata metadata, string name, IEnumerable<string?> values)
    {
        if (GrpcProtocol.IsReservedHeader(name)) return;
        var key = name.ToLowerInvariant();
        foreach (var value in values)
        {
            if (value is null) continue;
            if (!key.EndsWith(Metadata.BinarySuffix, StringComparison.Ordinal))
            {
                metadata.AddReceived(key, value);
                continue;
            }
            foreach (var part in value.Split(','))
            {
                try { metadata.AddReceived(key, DecodeBinary(part)); }
                catch (FormatException) { /* not base64: drop it, as grpc implementations do */ }
            }
        }
    }
}
