using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HrmsAttendance.Gateway.Tests.Harness;

/// <summary>
/// A minimal HTTP/2 (h2c, prior knowledge) client that reports the frames of one request's stream, so a test can
/// tell a trailers-only response (one HEADERS frame with END_STREAM) from HEADERS + empty DATA.
/// </summary>
public static class RawHttp2
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4;
    public const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4;

    public sealed record Frame(byte Type, byte Flags, int Length)
    {
        public bool HasEndStream => (Flags & EndStream) != 0 && Type is Data or Headers;
        public override string ToString() => $"{(Type switch { Data => "DATA", Headers => "HEADERS", RstStream => "RST_STREAM", _ => Type.ToString() })}" +
            $"{(HasEndStream ? "+END_STREAM" : "")}({Length})";
    }

    public static async Task<IReadOnlyList<Frame>> PostAsync(Uri server, string path, IEnumerable<(string Name, string Value)> headers, byte[] body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();

        var block = new MemoryStream();
        foreach (var (name, value) in new[] { (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", server.Authority) }.Concat(headers))
        {
            block.WriteByte(0x00); // literal header field without indexing, new name
            WriteHpackString(block, name);
            WriteHpackString(block, value);
        }
        var output = new MemoryStream();
        output.Write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8);
        WriteFrame(output, Settings, 0, 0, []);
        WriteFrame(output, Headers, EndHeaders, 1, block.ToArray());
        WriteFrame(output, Data, EndStream, 1, body);
        await stream.WriteAsync(output.ToArray());

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var frames = new List<Frame>();
        var header = new byte[9];
        while (true)
        {
            await stream.ReadExactlyAsync(header, timeout.Token);
            var length = header[0] << 16 | header[1] << 8 | header[2];
            var type = header[3];
            var flags = header[4];
            var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, timeout.Token);
            if (streamId == 0 && type == Settings && (flags & Ack) == 0)
            {
                var ack = new MemoryStream();
                WriteFrame(ack, Settings, Ack, 0, []);
                await stream.WriteAsync(ack.ToArray(), timeout.Token);
            }
            if (streamId != 1) continue;
            var frame = new Frame(type, flags, length);
            frames.Add(frame);
            if (frame.HasEndStream || type == RstStream) return frames;
        }
    }

    private static void WriteHpackString(Stream stream, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        // No Huffman; the length is an HPACK integer with a 7-bit prefix (RFC 7541 §5.1).
        if (bytes.Length < 127) stream.WriteByte((byte)bytes.Length);
        else
        {
            stream.WriteByte(127);
            var rest = bytes.Length - 127;
            while (rest >= 128) { stream.WriteByte((byte)(rest % 128 + 128)); rest /= 128; }
            stream.WriteByte((byte)rest);
        }
        stream.Write(bytes);
    }

    private static void WriteFrame(Stream stream, byte type, byte flags, int streamId, byte[] payload)
    {
        Span<byte> header = stackalloc byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], streamId);
        stream.Write(header);
        stream.Write(payload);
    }
}
