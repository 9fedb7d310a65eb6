using System.Buffers.Text;
using System.Text;

namespace HrmsAttendance.Resp.Protocol;

/// <summary>Encodes a command as a RESP array of bulk strings: <c>*N\r\n$len\r\n…\r\n</c> (binary safe).</summary>
internal static class RespWriter
{
    public static byte[] Encode(string command, ReadOnlySpan<RedisValue> args)
    {
        var commandLength = Encoding.UTF8.GetByteCount(command);
        var total = HeaderLength(args.Length + 1) + HeaderLength(commandLength) + commandLength + 2;
        foreach (var arg in args)
        {
            total += HeaderLength(arg.Length) + arg.Length + 2;
        }

        var buffer = new byte[total];
        var span = buffer.AsSpan();
        var at = WriteHeader(span, '*', args.Length + 1);
        at += WriteHeader(span[at..], '$', commandLength);
        at += Encoding.UTF8.GetBytes(command, span[at..]);
        at += WriteCrLf(span[at..]);
        foreach (var arg in args)
        {
            at += WriteHeader(span[at..], '$', arg.Length);
            arg.Memory.Span.CopyTo(span[at..]);
            at += arg.Length;
            at += WriteCrLf(span[at..]);
        }
        return at == total ? buffer : throw new InvalidOperationException("RESP encoding length mismatch.");
    }

    private static int HeaderLength(int count) => 1 + DigitCount(count) + 2;

    private static int DigitCount(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }

    private static int WriteHeader(Span<byte> span, char prefix, int count)
    {
        span[0] = (byte)prefix;
        if (!Utf8Formatter.TryFormat(count, span[1..], out var written))
        {
            throw new InvalidOperationException("RESP header does not fit.");
        }
        return 1 + written + WriteCrLf(span[(1 + written)..]);
    }

    private static int WriteCrLf(Span<byte> span)
    {
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        return 2;
    }
}
