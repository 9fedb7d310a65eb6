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
    public Action<string>? Output { get; init; }
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
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
        var http = new Uri($"http://127.0.0.1:{LoopbackPort.PickFree()}");
        var grpc = options.HasGrpcEndpoint ? new Uri($"http://127.0.0.1:{LoopbackPort.PickFree()}") : null;

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
            Arguments = [options.AssemblyPath],
            Environment = environment,
            WorkingDirectory = Path.GetDirectoryName(options.AssemblyPath)!,
            Output = options.Output,
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

    private async Task WaitUntilHealthyAsync(CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + Options.StartTimeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (Process.HasExited)
                throw new InvalidOperationException(
                    $"{Options.Name} exited with code {Process.ExitCode} while starting:\n{string.Join('\n', Process.RecentOutput.TakeLast(30))}");
            try
            {
                using var response = await client.GetAsync(new Uri(HttpEndpoint, "/health"), ct);
                if (response.IsSuccessStatusCode) return;
                last = $"/health answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}";
            }
            catch (HttpRequestException e) { last = e.Message; }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { last = "/health timed out"; }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException(
            $"{Options.Name} was not healthy within {Options.StartTimeout.TotalSeconds:F0} s ({last}).\n{string.Join('\n', Process.RecentOutput.TakeLast(30))}");
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
