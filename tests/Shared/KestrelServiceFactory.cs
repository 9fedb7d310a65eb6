using HrmsAttendance.Hosting.LocalServers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HrmsAttendance.Tests.Shared;

/// <summary>
/// One of our services inside the test process, on real Kestrel (not the in-memory TestServer) with the two
/// endpoints the AppHost gives it, configured through the same Kestrel endpoint names: <c>http</c> (HTTP/1.1:
/// health and JSON) and <c>grpc</c> (HTTP/2-only cleartext, h2c). Real loopback ports, so that clients outside
/// the process (the grpc-js interop suite) reach it too. Call <c>UseKestrel()</c> and <c>StartServer()</c>
/// (see <see cref="Start"/>).
/// </summary>
/// <param name="settings">Configuration the service reads, e.g. <c>ConnectionStrings:attendance</c>.</param>
public sealed class KestrelServiceFactory<TProgram>(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<TProgram>
    where TProgram : class
{
    // Picked free a moment before Kestrel binds them, as the AppHost does (the names must be known in advance
    // to tell the HTTP/1.1 endpoint from the h2c one); below the ephemeral range, where no outgoing connection
    // can take them in the meantime.
    public Uri HttpEndpoint { get; } = new($"http://127.0.0.1:{LoopbackPorts.Free()}");
    public Uri GrpcEndpoint { get; } = new($"http://127.0.0.1:{LoopbackPorts.Free()}");

    /// <summary>Starts the service on real Kestrel and returns it once it listens.</summary>
    public KestrelServiceFactory<TProgram> Start()
    {
        UseKestrel();
        StartServer();
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Kestrel:Endpoints:http:Url", HttpEndpoint.ToString().TrimEnd('/'));
        builder.UseSetting("Kestrel:Endpoints:grpc:Url", GrpcEndpoint.ToString().TrimEnd('/'));
        builder.UseSetting("Kestrel:Endpoints:grpc:Protocols", "Http2");
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
    }

}
