using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HrmsAttendance.Hosting.Tests.RabbitMq;

/// <summary>
/// Written independently of the launcher's own readiness login: the AMQP 0-9-1 handshake up to the point where
/// the node has judged the credentials. Sends the protocol header, reads Connection.Start, answers Start-Ok with
/// SASL PLAIN and returns what came next: Connection.Tune (accepted) or Connection.Close (refused, with reason).
/// </summary>
internal static class AmqpProbe
{
    public sealed record Outcome(bool Accepted, string ServerProperties, string Refusal);

    public static async Task<Outcome> LogInAsync(int port, string userName, string password)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var stream = client.GetStream();
        await stream.WriteAsync("AMQP\0\0\x09\x01"u8.ToArray(), timeout.Token);

        var (classId, methodId, start) = await ReadMethodAsync(stream, timeout.Token);
        Assert.Equal((10, 10), (classId, methodId)); // Connection.Start
        Assert.Equal((0, 9), (start[0], start[1])); // protocol 0-9
        var serverProperties = Encoding.UTF8.GetString(start, 6, BinaryPrimitives.ReadInt32BigEndian(start.AsSpan(2)));

        await stream.WriteAsync(StartOk(userName, password), timeout.Token);
        (classId, methodId, var arguments) = await ReadMethodAsync(stream, timeout.Token);
        return (classId, methodId) switch
        {
            (10, 30) => new Outcome(true, serverProperties, ""), // Connection.Tune
            (10, 50) => new Outcome(false, serverProperties, // Connection.Close: reply-code, reply-text
                $"{BinaryPrimitives.ReadUInt16BigEndian(arguments)} {Encoding.UTF8.GetString(arguments, 3, arguments[2])}"),
            _ => throw new InvalidDataException($"Unexpected method {classId}.{methodId} after Start-Ok."),
        };
    }

    private static byte[] StartOk(string userName, string password)
    {
        // client-properties: { capabilities: { authentication_failure_close: true } }, so that a refusal comes
        // as Connection.Close with a reason instead of a bare disconnect.
        byte[] capability = [.. ShortString("authentication_failure_close"), (byte)'t', 1];
        byte[] clientProperties = [.. ShortString("capabilities"), (byte)'F', .. Int32(capability.Length), .. capability];
        var response = Encoding.UTF8.GetBytes($"\0{userName}\0{password}");
        byte[] payload =
        [
            0, 10, 0, 11, // Connection.Start-Ok
            .. Int32(clientProperties.Length), .. clientProperties,
            .. ShortString("PLAIN"),
            .. Int32(response.Length), .. response,
            .. ShortString("en_US"),
        ];
        return [1, 0, 0, .. Int32(payload.Length), .. payload, 0xCE];
    }

    private static async Task<(int ClassId, int MethodId, byte[] Arguments)> ReadMethodAsync(NetworkStream stream, CancellationToken ct)
    {
        var header = new byte[7];
        await stream.ReadExactlyAsync(header, ct);
        Assert.Equal(1, header[0]); // method frame
        var payload = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(3)) + 1];
        await stream.ReadExactlyAsync(payload, ct);
        Assert.Equal(0xCE, payload[^1]);
        return (BinaryPrimitives.ReadUInt16BigEndian(payload), BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(2)), payload[4..^1]);
    }

    private static byte[] ShortString(string value) => [(byte)Encoding.UTF8.GetByteCount(value), .. Encoding.UTF8.GetBytes(value)];

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }
}
