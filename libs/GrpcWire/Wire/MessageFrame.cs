using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace HrmsAttendance.GrpcWire.Wire;

/// <summary>
/// A gRPC length-prefixed message: 1 byte compressed flag (0 or 1), 4 bytes big-endian length, payload.
/// </summary>
public static class MessageFrame
{
    public const int HeaderSize = 5;

    /// <summary>Serializes <paramref name="message"/> into one frame, gzip-compressed when asked.</summary>
    public static byte[] Build(IMessage message, bool compress, int? maxSendSize)
    {
        var payload = message.ToByteArray();
        if (maxSendSize is { } max && payload.Length > max)
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Sending message larger than max ({payload.Length} vs. {max})");
        if (compress) payload = GzipCompression.Compress(payload);

        var frame = new byte[HeaderSize + payload.Length];
        WriteHeader(frame, compress, payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>Reads a frame header; false when fewer than 5 bytes are buffered.</summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out bool compressed, out uint length)
    {
        compressed = false;
        length = 0;
        if (buffer.Length < HeaderSize) return false;
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        compressed = ParseHeader(header, out length);
        return true;
    }

    /// <summary>Parses a 5-byte header; a flag other than 0 or 1 is a protocol error (INTERNAL).</summary>
    public static bool ParseHeader(ReadOnlySpan<byte> header, out uint length)
    {
        length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        return header[0] switch
        {
            0 => false,
            1 => true,
            var flag => throw new RpcException(StatusCode.Internal, $"Invalid compressed flag {flag} in message frame."),
        };
    }

    public static void EnsureWithinLimit(uint length, int maxReceiveSize)
    {
        if (length > maxReceiveSize)
            throw new RpcException(StatusCode.ResourceExhausted,
                $"Received message larger than max ({length} vs. {maxReceiveSize})");
    }

    /// <summary>
    /// Turns a frame payload into a message: decompress per <paramref name="encoding"/> when the frame
    /// says so, then parse. Failures are INTERNAL, as in the reference implementations.
    /// </summary>
    public static T Decode<T>(MessageParser<T> parser, in ReadOnlySequence<byte> payload, bool compressed,
        string? encoding, int maxReceiveSize) where T : IMessage<T>
    {
        if (compressed)
        {
            if (encoding is null || encoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
                throw new RpcException(StatusCode.Internal,
                    "Received a compressed message but no grpc-encoding names the compression.");
            if (!encoding.Equals(GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase))
                throw new RpcException(StatusCode.Internal, $"Unsupported message encoding '{encoding}'.");
            var inflated = GzipCompression.Decompress(payload, maxReceiveSize);
            return Parse(parser, new ReadOnlySequence<byte>(inflated));
        }
        return Parse(parser, payload);
    }

    private static T Parse<T>(MessageParser<T> parser, in ReadOnlySequence<byte> payload) where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(StatusCode.Internal, "Failed to deserialize message: " + ex.Message);
        }
    }
}
