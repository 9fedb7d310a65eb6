using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Services;

public sealed class ServiceProcessOptions
{
    /// <summary>Resource name, kebab-case (e.g. "punch-ledger"): also its OTEL_SERVICE_NAME.</summary>
    public required string Name { get; init; }
    /// <summary>Path of the built service assembly (see <see cref="RepositoryLayout.ServiceAssembly"/>).</summary>
    public required string AssemblyPath { get; init; }
    /// <summary>Aspire-convention settings: ConnectionStrings__x, services__name__endpoint__0, OTEL_*.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    /// <summary>Whether the service has an HTTP/2-only gRPC endpoint besides its HTTP one.</summary>
    public bool HasGrpcEndpoint { get; init; } = true;
    public string EnvironmentName { get; init; } = "Development";
    /// <summary>stdout lines (and stderr lines too unless <see cref="ErrorOutput"/> is set).</summary>
    public Action<string>? Output { get; init; }
    /// <summary>When set, receives the stderr lines instead of <see cref="Output"/>.</summary>
    public Action<string>? ErrorOutput { get; init; }
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// Port of the <c>http</c> endpoint on 127.0.0.1; 0 (the default) picks a free one. A supervisor that
    /// restarts a service passes the ports of the first start, so that the addresses it handed to other
    /// services stay valid.
    /// </summary>
    public int HttpPort { get; init; }
    /// <summary>Port of the <c>grpc</c> endpoint; 0 (the default) picks a free one.</summary>
    public int GrpcPort { get; init; }
    /// <summary>Arguments after the assembly path (none by default).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}

/// <summary>
/// One of our services running as a child process on free loopback ports: an <c>http</c>
/// endpoint (HTTP/1.1, health and JSON) and a <c>grpc</c> endpoint (HTTP/2-only, cleartext),
/// configured through Kestrel's named endpoints exactly as an Aspire AppHost would.
/// Running once its <c>/health</c> answers 200.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private ServiceProcess(ServiceProcessOptions options, ChildProcess process, Uri http, Uri? grpc)
    {
        Options = options;
        Process = process;
        HttpEndpoint = http;
        GrpcEndpoint = grpc;
    }

    public ServiceProcessOptions Options { get; }
    public ChildProcess Process { get; }
    public Uri HttpEndpoint { get; }
    public Uri? GrpcEndpoint { get; }

    public static async Task<ServiceProcess> StartAsync(ServiceProcessOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = LoopbackUri(options.HttpPort);
        var grpc = options.HasGrpcEndpoint ? LoopbackUri(options.GrpcPort) : null;

        var environment = new Dictionary<string, string?>(options.Environment)
        {
            ["ASPNETCORE_ENVIRONMENT"] = options.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = options.EnvironmentName,
            ["OTEL_SERVICE_NAME"] = options.Name,
            ["Kestrel__Endpoints__http__Url"] = http.ToString().TrimEnd('/'),
            ["ASPNETCORE_URLS"] = null,
        };
        if (grpc is not null)
        {
            environment["Kestrel__Endpoints__grpc__Url"] = grpc.ToString().TrimEnd('/');
            environment["Kestrel__Endpoints__grpc__Protocols"] = "Http2";
        }

        var process = ChildProcess.Start(new ChildProcessOptions
        {
            Name = options.Name,
            FileName = "dotnet",
            Arguments = [options.AssemblyPath, .. options.Arguments],
            Environment = environment,
            WorkingDirectory = Path.GetDirectoryName(options.AssemblyPath)!,
            Output = options.Output,
            ErrorOutput = options.ErrorOutput,
            StopSignal = StopSignal.Terminate,
        });
        var service = new ServiceProcess(options, process, http, grpc);
        try
        {
            await service.WaitUntilHealthyAsync(ct);
            return service;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One readiness probe: GET <c>/health</c> (2 s limit). Healthy on 200; otherwise the answer or the error,
    /// for display. Used while starting and, by a supervisor, while running.
    /// </summary>
    public async Task<(bool Healthy, string Detail)> CheckHealthAsync(CancellationToken ct = default)
    {
        try
        {
            using var response = await HealthClient.GetAsync(new Uri(HttpEndpoint, "/health"), ct);
            if (response.IsSuccessStatusCode) return (true, "/health answered 200");
            return (false, $"/health answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
        catch (HttpRequestException e) { return (false, e.Message); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return (false, "/health timed out"); }
    }

    // Shared: one client for every probe of every service (no connection pooling across probes is needed,
    // and a client per probe would leave sockets in TIME_WAIT).
    private static readonly HttpClient HealthClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    private static Uri LoopbackUri(int port) =>
        new($"http://127.0.0.1:{(port != 0 ? port : LoopbackPort.PickFree())}");

    private async Task WaitUntilHealthyAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Options.StartTimeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (Process.HasExited)
                throw new InvalidOperationException(
                    $"{Options.Name} exited with code {Process.ExitCode} while starting:\n{string.Join('\n', Process.RecentOutput.TakeLast(30))}");
            var (healthy, detail) = await CheckHealthAsync(ct);
            if (healthy) return;
            last = detail;
            // Wake early if the process exits: no need to wait out the interval to report it.
            await Task.WhenAny(Process.Exited, Task.Delay(100, ct));
        }
        throw new TimeoutException(
            $"{Options.Name} was not healthy within {Options.StartTimeout.TotalSeconds:F0} s ({last}).\n{string.Join('\n', Process.RecentOutput.TakeLast(30))}");
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
