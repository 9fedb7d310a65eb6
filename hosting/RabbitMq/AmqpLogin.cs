using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// Just enough AMQP 0-9-1 to prove a node is up and takes our credentials: protocol header, Connection.Start,
/// Start-Ok (SASL PLAIN), Tune, Tune-Ok, Open "/" and a clean Close, so the node logs no
/// "client unexpectedly closed" warning for every probe.
/// </summary>
internal static class AmqpLogin
{
    private const byte MethodFrame = 1;
    private const byte HeartbeatFrame = 8;
    private const byte FrameEnd = 0xCE;
    private const ushort ConnectionClass = 10;
    private const ushort Start = 10, StartOk = 11, Tune = 30, TuneOk = 31, Open = 40, OpenOk = 41, Close = 50, CloseOk = 51;

    /// <summary>Null when the node accepted the login and opened vhost "/", else the node's reason for refusing.</summary>
    public static async Task<string?> TryLogInAsync(int port, string userName, string password, CancellationToken ct)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port, ct);
        var stream = client.GetStream();
        await stream.WriteAsync("AMQP\0\0\x09\x01"u8.ToArray(), ct);

        await ExpectAsync(stream, Start, ct);
        await SendAsync(stream, StartOk, new MethodArguments()
            // Without this capability a refused login is just a closed socket, with no reason given.
            .Table("capabilities", new MethodArguments().Boolean("authentication_failure_close", true))
            .ShortString("PLAIN")
            .LongString($"\0{userName}\0{password}")
            .ShortString("en_US"), ct);

        var (method, arguments) = await ReadMethodAsync(stream, ct);
        if (method == Close)
        {
            return CloseReason(arguments);
        }
        if (method != Tune)
        {
            throw new IOException($"Expected Connection.Tune, got method {method} of class connection.");
        }
        await SendAsync(stream, TuneOk, new MethodArguments()
            .Raw(arguments.AsSpan(0, 6)) // the node's channel-max and frame-max, as offered
            .UInt16(0), ct);             // no heartbeats
        await SendAsync(stream, Open, new MethodArguments().ShortString("/").ShortString("").Octet(0), ct);

        (method, arguments) = await ReadMethodAsync(stream, ct);
        if (method == Close)
        {
            return CloseReason(arguments);
        }
        if (method != OpenOk)
        {
            throw new IOException($"Expected Connection.Open-Ok, got method {method} of class connection.");
        }
        await SendAsync(stream, Close, new MethodArguments().UInt16(200).ShortString("").UInt16(0).UInt16(0), ct);
        await ExpectAsync(stream, CloseOk, ct);
        return null;
    }

    private static string CloseReason(byte[] closeArguments)
    {
        var code = BinaryPrimitives.ReadUInt16BigEndian(closeArguments);
        var text = Encoding.UTF8.GetString(closeArguments, 3, closeArguments[2]);
        return $"{code} {text}";
    }

    private static async Task ExpectAsync(NetworkStream stream, ushort expected, CancellationToken ct)
    {
        var (method, _) = await ReadMethodAsync(stream, ct);
        if (method != expected)
        {
            throw new IOException($"Expected connection method {expected}, got {method}.");
        }
    }

    /// <summary>The next method frame on channel 0 of class connection: its method id and arguments.</summary>
    private static async Task<(ushort Method, byte[] Arguments)> ReadMethodAsync(NetworkStream stream, CancellationToken ct)
    {
        while (true)
        {
            var header = new byte[7];
            await stream.ReadExactlyAsync(header, ct); // EndOfStreamException (an IOException) if the node hangs up
            var size = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(3));
            if (size is < 4 or > 1 << 20)
            {
                throw new IOException($"Not an AMQP 0-9-1 frame (size {size}).");
            }
            var payload = new byte[size + 1];
            await stream.ReadExactlyAsync(payload, ct);
            if (payload[^1] != FrameEnd)
            {
                throw new IOException("Not an AMQP 0-9-1 frame (no frame-end octet).");
            }
            if (header[0] == HeartbeatFrame)
            {
                continue;
            }
            if (header[0] != MethodFrame || BinaryPrimitives.ReadUInt16BigEndian(payload) != ConnectionClass)
            {
                throw new IOException($"Expected a connection method frame, got frame type {header[0]}.");
            }
            return (BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(2)), payload[4..^1]);
        }
    }

    private static async Task SendAsync(NetworkStream stream, ushort method, MethodArguments arguments, CancellationToken ct)
    {
        var body = arguments.ToArray();
        var frame = new byte[7 + 4 + body.Length + 1];
        frame[0] = MethodFrame; // channel 0: bytes 1-2 stay zero
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(3), 4 + body.Length);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(7), ConnectionClass);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(9), method);
        body.CopyTo(frame, 11);
        frame[^1] = FrameEnd;
        await stream.WriteAsync(frame, ct);
    }

    /// <summary>Big-endian AMQP argument encoding; also builds field tables (name + typed value pairs).</summary>
    private sealed class MethodArguments
    {
        private readonly MemoryStream _bytes = new();

        public MethodArguments Octet(byte value)
        {
            _bytes.WriteByte(value);
            return this;
        }

        public MethodArguments UInt16(ushort value)
        {
            Span<byte> buffer = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(buffer, value);
            return Raw(buffer);
        }

        public MethodArguments ShortString(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            return Octet(checked((byte)bytes.Length)).Raw(bytes);
        }

        public MethodArguments LongString(string value) => Sized(Encoding.UTF8.GetBytes(value));

        /// <summary>A field table holding one entry whose value is itself a table (type 'F').</summary>
        public MethodArguments Table(string name, MethodArguments entries) =>
            Sized(new MethodArguments().ShortString(name).Octet((byte)'F').Sized(entries.ToArray()).ToArray());

        /// <summary>A table entry with a boolean value (type 't'): only valid inside <see cref="Table"/>.</summary>
        public MethodArguments Boolean(string name, bool value) => ShortString(name).Octet((byte)'t').Octet(value ? (byte)1 : (byte)0);

        public MethodArguments Raw(ReadOnlySpan<byte> bytes)
        {
            _bytes.Write(bytes);
            return this;
        }

        public byte[] ToArray() => _bytes.ToArray();

        private MethodArguments Sized(byte[] bytes)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            return Raw(length).Raw(bytes);
        }
    }
}
