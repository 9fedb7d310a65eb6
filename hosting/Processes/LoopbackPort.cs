using System.Net;
using System.Net.Sockets;

namespace HrmsAttendance.Hosting.Processes;

public static class LoopbackPort
{
    /// <summary>
    /// A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it; we release it at once).
    /// Another process can grab it before our server binds it: callers retry on "address in use".
    /// </summary>
    public static int PickFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
