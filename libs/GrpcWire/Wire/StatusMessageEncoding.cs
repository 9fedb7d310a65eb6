using System.Text;

namespace HrmsAttendance.GrpcWire.Wire;

/// <summary>
/// The <c>grpc-message</c> value encoding: UTF-8, then percent-encode only the bytes outside the
/// printable ASCII range 0x20–0x7E and the '%' byte itself. (Uri.EscapeDataString would also encode
/// ':' , ' ' … and grpc-js would then show "%3A" literally.)
/// </summary>
public static class StatusMessageEncoding
{
    public static string Encode(string message)
    {
        if (!NeedsEncoding(message)) return message;
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%') builder.Append((char)b);
            else builder.Append('%').Append(b.ToString("X2"));
        }
        return builder.ToString();
    }

    /// <summary>Decodes %XX sequences; malformed sequences are kept as they are (the spec asks for leniency).</summary>
    public static string Decode(string value)
    {
        if (!value.Contains('%')) return value;
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                // Not valid on the wire, but be lenient: keep the character.
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool NeedsEncoding(string message)
    {
        foreach (var c in message)
            if (c is < ' ' or > '~' or '%') return true;
        return false;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
