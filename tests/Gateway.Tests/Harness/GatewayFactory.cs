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

    // The test clients run in the gateway's process, where its telemetry listens to HttpClient: without a propagator
    // of their own they send only the trace headers a test sets.

    /// <summary>A gRPC channel to the gateway's HTTP/2 listener.</summary>
    public GrpcChannel Channel(int? maxMessageBytes = null) => GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { UseProxy = false, ActivityHeadersPropagator = null },
        MaxReceiveMessageSize = maxMessageBytes ?? 8 * 1024 * 1024,
        MaxSendMessageSize = maxMessageBytes ?? 8 * 1024 * 1024,
    });

    /// <summary>A plain HTTP/1.1 client to the gateway's http listener.</summary>
    public HttpClient Http() => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ActivityHeadersPropagator = null })
    {
        BaseAddress = HttpAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>An HTTP/2 (h2c) client to the gateway's grpc listener, for hand-made gRPC requests (see <see cref="GrpcRequest"/>).</summary>
    public HttpClient H2() => new(new SocketsHttpHandler { UseProxy = false, ActivityHeadersPropagator = null })
    {
        BaseAddress = GrpcAddress,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A hand-made unary gRPC request over HTTP/2: one frame, <c>te: trailers</c>, the bearer token.</summary>
    public static HttpRequestMessage GrpcRequest(string path, byte[] frame, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>grpc-status of a response read to its end: from the headers (trailers-only) or the trailers.</summary>
    public static async Task<(int Status, string? Message)> GrpcStatusAsync(HttpResponseMessage response)
    {
        await response.Content.ReadAsByteArrayAsync();
        string? Get(string name) => response.Headers.TryGetValues(name, out var inHeaders) ? inHeaders.Single()
            : response.TrailingHeaders.TryGetValues(name, out var inTrailers) ? inTrailers.Single() : null;
        var status = Get("grpc-status") ?? throw new InvalidOperationException($"no grpc-status (HTTP {(int)response.StatusCode})");
        return (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Get("grpc-message") is { } m ? Uri.UnescapeDataString(m) : null);
    }
}
