using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HrmsAttendance.Hosting.Redis;

/// <summary>The smallest Redis client there is: AUTH and PING in RESP over a fresh TCP connection.</summary>
internal static class RedisPing
{
    public const string Pong = "+PONG";

    /// <summary>
    /// Sends <c>AUTH password</c> then <c>PING</c> and returns the first error reply, or <see cref="Pong"/>.
    /// Throws <see cref="SocketException"/> or <see cref="IOException"/> when nothing (or nothing sane) answers.
    /// </summary>
    public static async Task<string> AuthenticateAndPingAsync(int port, string password, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Command("AUTH", password) + Command("PING")), ct);

        var replies = await ReadLinesAsync(stream, count: 2, ct);
        return replies.FirstOrDefault(reply => reply.StartsWith('-')) ?? replies[1];
    }

    /// <summary>A command as a RESP array of bulk strings: *2\r\n$4\r\nAUTH\r\n$n\r\n…\r\n</summary>
    private static string Command(params string[] parts)
    {
        var command = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }
        return command.ToString();
    }

    /// <summary>AUTH and PING both answer with one simple-string or error line each.</summary>
    private static async Task<string[]> ReadLinesAsync(NetworkStream stream, int count, CancellationToken ct)
    {
        var received = new List<byte>();
        var buffer = new byte[256];
        while (true)
        {
            var text = Encoding.UTF8.GetString([.. received]);
            var lines = text.Split("\r\n");
            if (lines.Length > count)
            {
                return lines[..count];
            }
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0)
            {
                throw new IOException($"The connection closed after {received.Count} bytes: '{text}'.");
            }
            received.AddRange(buffer.AsSpan(0, read));
        }
    }
}
