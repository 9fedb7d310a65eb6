using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HrmsAttendance.Hosting.Tests.Redis;

/// <summary>
/// A raw RESP2 connection, written independently of the launcher's readiness probe: it sends commands as arrays
/// of bulk strings and parses the replies. Simple strings come back as "+OK", errors as "-ERR …", bulk strings
/// as their text (null for nil), integers as long, arrays as object?[].
/// </summary>
internal sealed class Resp : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly BufferedStream _stream;

    private Resp(TcpClient client)
    {
        _client = client;
        _stream = new BufferedStream(client.GetStream());
    }

    public static async Task<Resp> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        client.ReceiveTimeout = 5000;
        return new Resp(client);
    }

    public async Task<object?> SendAsync(params string[] parts)
    {
        var command = new StringBuilder($"*{parts.Length}\r\n");
        foreach (var part in parts)
        {
            command.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()));
        await _stream.FlushAsync();
        return ReadReply();
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private object? ReadReply()
    {
        var line = ReadLine();
        return line[0] switch
        {
            '+' or '-' => line,
            ':' => long.Parse(line[1..]),
            '$' => ReadBulk(int.Parse(line[1..])),
            '*' => int.Parse(line[1..]) is var count and >= 0 ? Enumerable.Range(0, count).Select(_ => ReadReply()).ToArray() : null,
            _ => throw new InvalidDataException($"Not a RESP reply: '{line}'"),
        };
    }

    private string? ReadBulk(int length)
    {
        if (length < 0)
        {
            return null;
        }
        var bytes = new byte[length + 2];
        _stream.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes, 0, length);
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (bytes.Count < 2 || bytes[^2] != '\r' || bytes[^1] != '\n')
        {
            var next = _stream.ReadByte();
            if (next < 0)
            {
                throw new EndOfStreamException($"Connection closed after '{Encoding.UTF8.GetString([.. bytes])}'.");
            }
            bytes.Add((byte)next);
        }
        return Encoding.UTF8.GetString([.. bytes], 0, bytes.Count - 2);
    }
}
