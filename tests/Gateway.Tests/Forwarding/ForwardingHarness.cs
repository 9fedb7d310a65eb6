using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Gateway.Forwarding;
using HrmsAttendance.GrpcWire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Gateway.Tests.Forwarding;

/// <summary>
/// Three Kestrel apps on 127.0.0.1 port 0: a gRPC upstream (HTTP/2 only, GrpcWire's server), a plain HTTP/1.1
/// upstream, and the front (one HTTP/2-only listener forwarding as gRPC, one HTTP/1.1 listener forwarding as HTTP)
/// whose only endpoint calls <see cref="IHttpForwarder.ForwardAsync"/> with fixed identity headers.
/// </summary>
public sealed class ForwardingHarness : IAsyncDisposable
{
    public const string GatewayTenant = "tenant-from-gateway";
    public const string GatewayPrincipal = "principal-from-gateway";
    public const string GatewayRoles = "hr_admin";
    public const string GatewayPerson = "person-from-gateway";

    public static readonly KeyValuePair<string, string>[] Identity =
    [
        new(IdentityHeaders.Tenant, GatewayTenant),
        new(IdentityHeaders.Principal, GatewayPrincipal),
        new(IdentityHeaders.Roles, GatewayRoles),
        new(IdentityHeaders.Person, GatewayPerson),
    ];

    private readonly List<WebApplication> apps = [];
    private readonly System.Threading.Channels.Channel<ForwardingOutcome> outcomes = System.Threading.Channels.Channel.CreateUnbounded<ForwardingOutcome>();

    private ForwardingHarness() { }

    /// <summary>The gRPC upstream's handlers (set them before calling).</summary>
    public TestGrpcService Grpc { get; } = new();
    /// <summary>The plain HTTP upstream's handler.</summary>
    public Func<HttpContext, Task> HttpUpstream { get; set; } = context => context.Response.WriteAsync("ok");
    /// <summary>Every request either upstream received, as it arrived there.</summary>
    public ConcurrentQueue<RecordedRequest> UpstreamRequests { get; } = new();
    public ListLoggerProvider Logs { get; } = new();

    public Uri GrpcUpstream { get; private set; } = null!;
    public Uri HttpUpstreamAddress { get; private set; } = null!;
    /// <summary>The front's HTTP/2-only listener (forwards with UpstreamProtocol.Grpc).</summary>
    public Uri FrontGrpc { get; private set; } = null!;
    /// <summary>The front's HTTP/1.1 listener (forwards with UpstreamProtocol.Http).</summary>
    public Uri FrontHttp { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    /// <summary>A raw HTTP/2 (h2c) client to the front's gRPC listener, for looking at headers and trailers.</summary>
    public HttpClient H2 { get; private set; } = null!;

    public RecordedRequest SingleUpstreamRequest() => Assert.Single(UpstreamRequests);

    /// <summary>The outcome of the next forwarded request (in completion order).</summary>
    public async Task<ForwardingOutcome> NextOutcomeAsync() =>
        await outcomes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public sealed class Settings
    {
        /// <summary>Keys under Gateway:Forwarding (e.g. "HttpTimeout" = "00:00:00.3").</summary>
        public Dictionary<string, string?> Forwarding { get; } = new();
        public Uri? GrpcDestination { get; set; }
        public Uri? HttpDestination { get; set; }
        /// <summary>Extra endpoints on the gRPC upstream (raw HTTP/2 handlers that GrpcWire would not allow).</summary>
        public Action<WebApplication>? MapOnGrpcUpstream { get; set; }
    }

    public static async Task<ForwardingHarness> StartAsync(Action<Settings>? configure = null)
    {
        var settings = new Settings();
        configure?.Invoke(settings);
        var harness = new ForwardingHarness();
        try
        {
            await harness.StartAppsAsync(settings);
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
        return harness;
    }

    private async Task StartAppsAsync(Settings settings)
    {
        // gRPC upstream: HTTP/2 only.
        var grpcBuilder = NewBuilder();
        ListenOptions? grpcUpstreamListen = null;
        grpcBuilder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http2; grpcUpstreamListen = o; }));
        grpcBuilder.Services.AddGrpcWire();
        grpcBuilder.Services.AddSingleton(Grpc);
        var grpcApp = grpcBuilder.Build();
        grpcApp.Use(RecordAsync);
        grpcApp.UseRouting();
        grpcApp.MapGrpcService<TestGrpcService>();
        settings.MapOnGrpcUpstream?.Invoke(grpcApp);
        await StartAsync(grpcApp);
        GrpcUpstream = new Uri($"http://127.0.0.1:{grpcUpstreamListen!.IPEndPoint!.Port}");

        // Plain HTTP upstream: HTTP/1.1, no body size limit of its own.
        var httpBuilder = NewBuilder();
        ListenOptions? httpUpstreamListen = null;
        httpBuilder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1; httpUpstreamListen = o; });
        });
        var httpApp = httpBuilder.Build();
        httpApp.Use(RecordAsync);
        httpApp.Run(context => HttpUpstream(context));
        await StartAsync(httpApp);
        HttpUpstreamAddress = new Uri($"http://127.0.0.1:{httpUpstreamListen!.IPEndPoint!.Port}");

        // The front: what the gateway's pipeline will do after auth and routing.
        var frontBuilder = NewBuilder();
        frontBuilder.Configuration.AddInMemoryCollection(
            settings.Forwarding.Select(p => new KeyValuePair<string, string?>(ForwarderOptions.SectionName + ":" + p.Key, p.Value)));
        ListenOptions? frontGrpcListen = null, frontHttpListen = null;
        frontBuilder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http2; frontGrpcListen = o; });
            k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1; frontHttpListen = o; });
        });
        frontBuilder.Services.AddHttpForwarder(frontBuilder.Configuration);
        var front = frontBuilder.Build();
        var grpcDestination = settings.GrpcDestination ?? GrpcUpstream;
        var httpDestination = settings.HttpDestination ?? HttpUpstreamAddress;
        front.Run(async context =>
        {
            var forwarder = context.RequestServices.GetRequiredService<IHttpForwarder>();
            var viaGrpcListener = context.Connection.LocalPort == frontGrpcListen!.IPEndPoint!.Port;
            var outcome = await forwarder.ForwardAsync(context,
                viaGrpcListener ? grpcDestination : httpDestination,
                viaGrpcListener ? UpstreamProtocol.Grpc : UpstreamProtocol.Http,
                Identity);
            outcomes.Writer.TryWrite(outcome);
        });
        await StartAsync(front);
        FrontGrpc = new Uri($"http://127.0.0.1:{frontGrpcListen!.IPEndPoint!.Port}");
        FrontHttp = new Uri($"http://127.0.0.1:{frontHttpListen!.IPEndPoint!.Port}");

        Channel = GrpcChannel.ForAddress(FrontGrpc);
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = FrontHttp,
            Timeout = TimeSpan.FromSeconds(30),
        };
        H2 = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = FrontGrpc,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    private WebApplicationBuilder NewBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        // Nothing from appsettings.json (the gateway's is copied next to the tests) or the environment: every
        // endpoint and setting is the harness's own.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("HrmsAttendance.Gateway.Forwarding", LogLevel.Debug);
        builder.Logging.AddProvider(Logs);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        return builder;
    }

    private async Task StartAsync(WebApplication app)
    {
        apps.Add(app);
        await app.StartAsync();
    }

    private Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in context.Request.Headers) headers[name] = values.ToArray()!;
        UpstreamRequests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
            context.Request.Protocol, headers));
        return next(context);
    }

    public async ValueTask DisposeAsync()
    {
        Channel?.Dispose();
        Http?.Dispose();
        H2?.Dispose();
        foreach (var app in Enumerable.Reverse(apps))
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // do not wait for hung test handlers
            try { await app.StopAsync(stopping.Token); } catch (OperationCanceledException) { }
            await app.DisposeAsync();
        }
    }

    /// <summary>A port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>One gRPC message, length-prefixed, uncompressed.</summary>
    public static byte[] GrpcFrame(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, string Protocol, Dictionary<string, string[]> Headers)
{
    public string[] Values(string name) => Headers.TryGetValue(name, out var values) ? values : [];
    public string? Single(string name) => Headers.TryGetValue(name, out var values) ? Assert.Single(values) : null;
}

/// <summary>A test-only gRPC service; each test sets the handlers it needs.</summary>
public static class TestMethods
{
    public const string ServiceName = "forwardtest.v1.Echo";
    public static readonly Method<StringValue, StringValue> Unary = new(MethodType.Unary, ServiceName, "Unary", StringValue.Parser, StringValue.Parser);
    public static readonly Method<StringValue, StringValue> ServerStream = new(MethodType.ServerStreaming, ServiceName, "ServerStream", StringValue.Parser, StringValue.Parser);
    public static readonly Method<BytesValue, StringValue> ClientStream = new(MethodType.ClientStreaming, ServiceName, "ClientStream", BytesValue.Parser, StringValue.Parser);
    public static readonly Method<StringValue, StringValue> Duplex = new(MethodType.DuplexStreaming, ServiceName, "Duplex", StringValue.Parser, StringValue.Parser);
}

public sealed class TestGrpcService : IGrpcService
{
    public Func<StringValue, ServerCallContext, Task<StringValue>> Unary { get; set; } =
        (request, _) => Task.FromResult(new StringValue { Value = "echo:" + request.Value });
    public Func<StringValue, IServerStreamWriter<StringValue>, ServerCallContext, Task> ServerStream { get; set; } =
        (_, _, _) => Task.CompletedTask;
    public Func<IAsyncStreamReader<BytesValue>, ServerCallContext, Task<StringValue>> ClientStream { get; set; } =
        (_, _) => Task.FromResult(new StringValue());
    public Func<IAsyncStreamReader<StringValue>, IServerStreamWriter<StringValue>, ServerCallContext, Task> Duplex { get; set; } =
        async (requests, responses, context) =>
        {
            while (await requests.MoveNext(context.CancellationToken))
                await responses.WriteAsync(new StringValue { Value = "echo:" + requests.Current.Value });
        };

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(TestMethods.Unary, (request, context) => Unary(request, context))
        .AddServerStreaming(TestMethods.ServerStream, (request, stream, context) => ServerStream(request, stream, context))
        .AddClientStreaming(TestMethods.ClientStream, (stream, context) => ClientStream(stream, context))
        .AddDuplexStreaming(TestMethods.Duplex, (requests, responses, context) => Duplex(requests, responses, context));
}

public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State, Exception? Exception)
{
    public object? this[string key] => State.FirstOrDefault(p => p.Key == key).Value;
}

public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();
    public IReadOnlyList<LogEntry> Entries => entries.ToArray();
    public IReadOnlyList<LogEntry> ForwarderEntries => entries.Where(e => e.Category == typeof(HttpForwarder).FullName).ToArray();
    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, entries);
    public void Dispose() { }

    private sealed class ListLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var pairs = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), pairs.ToArray(), exception));
        }
    }
}

/// <summary>
/// A minimal HTTP/2 (h2c, prior knowledge) client that reports the frames of one request's stream, so a test can
/// tell a trailers-only response (one HEADERS frame with END_STREAM) from HEADERS + empty DATA.
/// </summary>
public static class RawHttp2
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4;
    public const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4;

    public sealed record Frame(byte Type, byte Flags, int Length)
    {
        public bool HasEndStream => (Flags & EndStream) != 0 && Type is Data or Headers;
        public override string ToString() => $"{(Type switch { Data => "DATA", Headers => "HEADERS", RstStream => "RST_STREAM", _ => Type.ToString() })}" +
            $"{(HasEndStream ? "+END_STREAM" : "")}({Length})";
    }

    public static async Task<IReadOnlyList<Frame>> PostAsync(Uri server, string path, IEnumerable<(string Name, string Value)> headers, byte[] body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();

        var block = new MemoryStream();
        foreach (var (name, value) in new[] { (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", server.Authority) }.Concat(headers))
        {
            block.WriteByte(0x00); // literal header field without indexing, new name
            WriteHpackString(block, name);
            WriteHpackString(block, value);
        }
        var output = new MemoryStream();
        output.Write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8);
        WriteFrame(output, Settings, 0, 0, []);
        WriteFrame(output, Headers, EndHeaders, 1, block.ToArray());
        WriteFrame(output, Data, EndStream, 1, body);
        await stream.WriteAsync(output.ToArray());

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var frames = new List<Frame>();
        var header = new byte[9];
        while (true)
        {
            await stream.ReadExactlyAsync(header, timeout.Token);
            var length = header[0] << 16 | header[1] << 8 | header[2];
            var type = header[3];
            var flags = header[4];
            var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, timeout.Token);
            if (streamId == 0 && type == Settings && (flags & Ack) == 0)
            {
                var ack = new MemoryStream();
                WriteFrame(ack, Settings, Ack, 0, []);
                await stream.WriteAsync(ack.ToArray(), timeout.Token);
            }
            if (streamId != 1) continue;
            var frame = new Frame(type, flags, length);
            frames.Add(frame);
            if (frame.HasEndStream || type == RstStream) return frames;
        }
    }

    private static void WriteHpackString(Stream stream, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length >= 127) throw new ArgumentException("Keep raw HPACK strings short.", nameof(value));
        stream.WriteByte((byte)bytes.Length); // no Huffman
        stream.Write(bytes);
    }

    private static void WriteFrame(Stream stream, byte type, byte flags, int streamId, byte[] payload)
    {
        Span<byte> header = stackalloc byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], streamId);
        stream.Write(header);
        stream.Write(payload);
    }
}
