using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>
/// Free TCP ports on 127.0.0.1 for servers that bind them later, in another process, often seconds later. They come from
/// below the kernel's ephemeral range (<c>net.ipv4.ip_local_port_range</c>): every outgoing connection on the machine
/// draws its local port from that range, so a port chosen there (as binding port 0 does) can be taken by any
/// connection before the server gets to bind it.
/// </summary>
public static class LoopbackPorts
{
    private const int Lowest = 10000;
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>A port that is free now, not in the ephemeral range, and not handed out before by this process.</summary>
    public static int Free()
    {
        var ephemeralStart = EphemeralRangeStart();
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 100 && ephemeralStart > Lowest; attempt++)
            {
                var candidate = Random.Shared.Next(Lowest, ephemeralStart);
                if (!HandedOut.Contains(candidate) && IsFree(candidate))
                {
                    HandedOut.Add(candidate);
                    return candidate;
                }
            }
        }
        // A crowded or unusual range: fall back to whatever the kernel picks.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768; // Linux's default
        }
    }
}
