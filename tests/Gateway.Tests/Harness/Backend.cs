using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Gateway.Tests.Harness;

/// <summary>What a backend saw of one request: method, path and query, protocol and headers.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string Protocol, Dictionary<string, string[]> Headers)
{
    public string[] Values(string name) => Headers.TryGetValue(name, out var values) ? values : [];
    public string? Single(string name) => Headers.TryGetValue(name, out var values) ? Assert.Single(values) : null;
}

/// <summary>
/// A service behind the gateway, as the AppHost runs ours: Grpc.AspNetCore on real Kestrel with a <c>grpc</c> endpoint
/// (HTTP/2 only, cleartext) and an <c>http</c> endpoint (HTTP/1.1) on loopback ports. Records every request it gets.
/// </summary>
public sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Backend(WebApplication app, Uri grpc, Uri http)
    {
        _app = app;
        GrpcAddress = grpc;
        HttpAddress = http;
    }

    public Uri GrpcAddress { get; }
    public Uri HttpAddress { get; }
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public RecordedRequest LastRequest => Requests.LastOrDefault() ?? throw new InvalidOperationException("The backend got no request.");

    public static async Task<Backend> StartAsync(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var grpcPort = Ports.Free();
        var httpPort = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = 8 * 1024 * 1024);
        services(builder.Services);
        var app = builder.Build();
        Backend? backend = null;
        app.Use((context, next) =>
        {
            var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in context.Request.Headers) headers[name] = values.ToArray()!;
            backend!.Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Protocol, headers));
            return next(context);
        });
        map(app);
        backend = new Backend(app, new Uri($"http://127.0.0.1:{grpcPort}"), new Uri($"http://127.0.0.1:{httpPort}"));
        await app.StartAsync();
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // do not wait for hung test handlers
        try { await _app.StopAsync(stopping.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}

public static class Ports
{
    /// <summary>
    /// A loopback port free a moment ago, as the AppHost allocates them: below the ephemeral range, so that no
    /// outgoing connection takes it before the server binds it (CI once lost a bind to that race).
    /// </summary>
    public static int Free() => HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free();
}
