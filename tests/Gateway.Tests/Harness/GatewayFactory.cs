using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HrmsAttendance.Gateway.Tests.Harness;

/// <summary>
/// The gateway itself (its Program, appsettings and all) on real Kestrel, configured only through settings: its two
/// listeners (<c>http</c> HTTP/1.1 + HTTP/2, <c>grpc</c> HTTP/2-only cleartext) on free loopback ports, the token
/// settings, the services' addresses (<c>services:&lt;name&gt;:grpc:0</c>…) and Redis.
/// </summary>
public sealed class GatewayFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public Uri HttpAddress { get; } = new($"http://127.0.0.1:{Ports.Free()}");
    public Uri GrpcAddress { get; } = new($"http://127.0.0.1:{Ports.Free()}");

    public GatewayFactory Start()
    {
        UseKestrel();
        StartServer();
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Kestrel:Endpoints:http:Url", HttpAddress.ToString().TrimEnd('/'));
        builder.UseSetting("Kestrel:Endpoints:http:Protocols", "Http1AndHttp2");
        builder.UseSetting("Kestrel:Endpoints:grpc:Url", GrpcAddress.ToString().TrimEnd('/'));
        builder.UseSetting("Kestrel:Endpoints:grpc:Protocols", "Http2");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
    }

    /// <summary>A gRPC channel to the gateway's HTTP/2 listener.</summary>
    public GrpcChannel Channel(int? maxMessageBytes = null) => GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { UseProxy = false },
        MaxReceiveMessageSize = maxMessageBytes ?? 8 * 1024 * 1024,
        MaxSendMessageSize = maxMessageBytes ?? 8 * 1024 * 1024,
    });

    /// <summary>A plain HTTP/1.1 client to the gateway's http listener.</summary>
    public HttpClient Http() => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        BaseAddress = HttpAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>An HTTP/2 (h2c) client to the gateway's grpc listener, for hand-made gRPC requests.</summary>
    public HttpClient H2() => new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = GrpcAddress,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
