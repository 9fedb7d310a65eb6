using System.Buffers.Binary;
using System.Text;

namespace HrmsAttendance.Tests.Shared;

/// <summary>
/// Protobuf wire bytes written by hand, for what a generated client never sends: strings that are not UTF-8, a field with
/// the wrong wire type, field numbers a message does not define, truncated varints, broken gRPC frames.
/// </summary>
public static class RawProtobuf
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, Fixed32 = 5;

    public static byte[] Tag(int field, int wireType) => VarintBytes((ulong)(field << 3 | wireType));

    public static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
        return [.. bytes];
    }

    /// <summary>A varint field.</summary>
    public static byte[] VarintField(int field, long value) => [.. Tag(field, Varint), .. VarintBytes((ulong)value)];

    /// <summary>A length-delimited field with these exact bytes (a string, bytes or an embedded message).</summary>
    public static byte[] BytesField(int field, byte[] value) => [.. Tag(field, LengthDelimited), .. VarintBytes((ulong)value.Length), .. value];

    public static byte[] StringField(int field, string value) => BytesField(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A gRPC message frame: compressed flag, big-endian length, the message.</summary>
    public static byte[] Frame(byte[] message, byte flag = 0)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }
}
