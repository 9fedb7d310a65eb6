using System.Buffers.Text;
using System.Text;

namespace HrmsAttendance.Resp.Protocol;

/// <summary>
/// Reads RESP2 replies from a stream through its own buffer. Anything that is not well-formed RESP2 — an unknown
/// type byte, a line without CRLF, a length that is not a number or is over the limits, a bulk string not followed
/// by CRLF, arrays nested too deep — throws <see cref="RedisConnectionException"/> (ProtocolFailure): after that
/// the stream position is meaningless and the connection must be dropped. End of stream throws SocketClosed.
/// </summary>
internal sealed class RespReader
{
    /// <summary>Simple strings, errors, integers and length headers are short; a longer line is garbage.</summary>
    public const int MaxLineLength = 64 * 1024;

    public const int MaxDepth = 32;

    private readonly Stream _stream;
    private readonly int _maxBulkLength;
    private readonly byte[] _buffer = new byte[MaxLineLength + 2];
    private int _start;
    private int _end;

    public RespReader(Stream stream, int maxBulkLength)
    {
        _stream = stream;
        _maxBulkLength = maxBulkLength;
    }

    public ValueTask<RedisResult> ReadAsync(CancellationToken ct) => ReadValueAsync(depth: 0, ct);

    private async ValueTask<RedisResult> ReadValueAsync(int depth, CancellationToken ct)
    {
        var line = await ReadLineAsync(ct);
        if (line.Length == 0)
        {
            throw Garbled("an empty line where a reply was expected", line);
        }
        var payload = line[1..];
        switch (line[0])
        {
            case (byte)'+':
                return RedisResult.SimpleString(payload);
            case (byte)'-':
                return RedisResult.Error(payload);
            case (byte)':':
                return RedisResult.Integer(ParseInteger(payload, line));
            case (byte)'$':
            {
                var length = ParseInteger(payload, line);
                if (length == -1)
                {
                    return RedisResult.Nil;
                }
                if (length < 0)
                {
                    throw Garbled("a negative bulk string length", line);
                }
                if (length > _maxBulkLength)
                {
                    throw new RedisConnectionException(ConnectionFailureType.ProtocolFailure,
                        $"The server sent a bulk string of {length} bytes, over the limit of {_maxBulkLength} bytes; " +
                        "the connection was dropped.");
                }
                return RedisResult.BulkString(await ReadBulkAsync((int)length, ct));
            }
            case (byte)'*':
            {
                var count = ParseInteger(payload, line);
                if (count == -1)
                {
                    return RedisResult.Nil;
                }
                if (count < 0 || count > int.MaxValue)
                {
                    throw Garbled("an invalid array length", line);
                }
                if (depth >= MaxDepth)
                {
                    throw new RedisConnectionException(ConnectionFailureType.ProtocolFailure,
                        $"The server sent arrays nested deeper than {MaxDepth} levels; the connection was dropped.");
                }
                // Grown as elements arrive: a garbled huge count must not allocate up front.
                var elements = new List<RedisResult>((int)Math.Min(count, 1024));
                for (var i = 0; i < count; i++)
                {
                    elements.Add(await ReadValueAsync(depth + 1, ct));
                }
                return RedisResult.Array([.. elements]);
            }
            default:
                throw Garbled($"an unknown reply type byte 0x{line[0]:X2}", line);
        }
    }

    /// <summary>One CRLF-terminated line, without the CRLF.</summary>
    private async ValueTask<byte[]> ReadLineAsync(CancellationToken ct)
    {
        var searchFrom = _start;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', searchFrom, _end - searchFrom);
            if (newline >= 0)
            {
                if (newline == _start || _buffer[newline - 1] != (byte)'\r')
                {
                    throw Garbled("a line ending in LF without CR", _buffer.AsSpan(_start, newline - _start).ToArray());
                }
                var line = _buffer.AsSpan(_start, newline - 1 - _start).ToArray();
                _start = newline + 1;
                return line;
            }
            if (_end - _start >= MaxLineLength)
            {
                throw Garbled($"a line longer than {MaxLineLength} bytes", _buffer.AsSpan(_start, 64).ToArray());
            }
            searchFrom = _end;
            var shifted = _start;
            await FillAsync(ct);
            searchFrom -= shifted - _start;
        }
    }

    /// <summary>Exactly <paramref name="length"/> bytes followed by CRLF.</summary>
    private async ValueTask<byte[]> ReadBulkAsync(int length, CancellationToken ct)
    {
        var bytes = new byte[length];
        var copied = Math.Min(length, _end - _start);
        _buffer.AsSpan(_start, copied).CopyTo(bytes);
        _start += copied;
        while (copied < length)
        {
            // Large values go straight from the socket into their array.
            var read = await _stream.ReadAsync(bytes.AsMemory(copied), ct);
            if (read == 0)
            {
                throw Closed();
            }
            copied += read;
        }
        while (_end - _start < 2)
        {
            await FillAsync(ct);
        }
        if (_buffer[_start] != (byte)'\r' || _buffer[_start + 1] != (byte)'\n')
        {
            throw Garbled($"a bulk string of {length} bytes not followed by CRLF", _buffer.AsSpan(_start, _end - _start).ToArray());
        }
        _start += 2;
        return bytes;
    }

    /// <summary>Moves unread bytes to the front and reads more; throws at end of stream.</summary>
    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
        if (read == 0)
        {
            throw Closed();
        }
        _end += read;
    }

    private static long ParseInteger(byte[] payload, byte[] line) =>
        Utf8Parser.TryParse(payload, out long value, out var consumed) && consumed == payload.Length && payload.Length > 0
            ? value
            : throw Garbled("a malformed number", line);

    private static RedisConnectionException Closed() =>
        new(ConnectionFailureType.SocketClosed, "The server closed the connection.");

    private static RedisConnectionException Garbled(string what, ReadOnlySpan<byte> line) =>
        new(ConnectionFailureType.ProtocolFailure,
            $"The server sent {what} ('{Printable(line)}'), which is not a RESP2 reply: is this a Redis server? " +
            "The connection was dropped.");

    /// <summary>The first 64 bytes, control and non-ASCII bytes escaped.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 64)])
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\x{b:X2}",
            });
        }
        return bytes.Length > 64 ? text.Append('…').ToString() : text.ToString();
    }
}
