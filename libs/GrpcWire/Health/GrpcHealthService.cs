using System.Threading.Channels;
using HrmsAttendance.GrpcWire.Health.V1;

namespace HrmsAttendance.GrpcWire;

/// <summary>
/// <c>grpc.health.v1.Health</c> (Check and Watch), registered by AddGrpcWire as a singleton and mapped
/// by the first MapGrpcService. The server as a whole ("") is SERVING from the start; a service sets
/// its own status with <see cref="SetStatus"/>, e.g. NOT_SERVING while its database is unreachable.
/// </summary>
public sealed class GrpcHealthService : IGrpcService
{
    public const string ServiceName = "grpc.health.v1.Health";

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> CheckMethod =
        new(MethodType.Unary, ServiceName, "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> WatchMethod =
        new(MethodType.ServerStreaming, ServiceName, "Watch", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    private readonly Lock gate = new();
    private readonly Dictionary<string, ServingStatus> statuses = new(StringComparer.Ordinal) { [""] = ServingStatus.Serving };
    private readonly List<(string Service, ChannelWriter<ServingStatus> Changes)> watchers = [];

    /// <summary>Sets (or changes) the status of <paramref name="serviceName"/> ("" for the whole server) and tells watchers.</summary>
    public void SetStatus(string serviceName, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(serviceName);
        lock (gate)
        {
            statuses[serviceName] = status;
            Notify(serviceName, status);
        }
    }

    /// <summary>Forgets <paramref name="serviceName"/>: Check answers NOT_FOUND, Watch SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string serviceName)
    {
        lock (gate)
        {
            if (statuses.Remove(serviceName)) Notify(serviceName, ServingStatus.ServiceUnknown);
        }
    }

    /// <summary>The status set for <paramref name="serviceName"/>, or null when it is unknown.</summary>
    public ServingStatus? GetStatus(string serviceName)
    {
        lock (gate) return statuses.TryGetValue(serviceName, out var status) ? status : null;
    }

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(CheckMethod, CheckAsync)
        .AddServerStreaming(WatchMethod, WatchAsync);

    private Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context) =>
        GetStatus(request.Service) is { } status
            ? Task.FromResult(ToResponse(status))
            : throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");

    private async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        var changes = Channel.CreateUnbounded<ServingStatus>(new UnboundedChannelOptions { SingleReader = true });
        var watcher = (request.Service, changes.Writer);
        lock (gate)
        {
            changes.Writer.TryWrite(statuses.TryGetValue(request.Service, out var current) ? current : ServingStatus.ServiceUnknown);
            watchers.Add(watcher);
        }
        try
        {
            ServingStatus? lastSent = null;
            await foreach (var status in changes.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (status == lastSent) continue; // the protocol sends changes only
                await responses.WriteAsync(ToResponse(status), context.CancellationToken).ConfigureAwait(false);
                lastSent = status;
            }
        }
        finally
        {
            lock (gate) watchers.Remove(watcher);
        }
    }

    private void Notify(string serviceName, ServingStatus status)
    {
        foreach (var (service, writer) in watchers)
            if (service == serviceName) writer.TryWrite(status);
    }

    private static HealthCheckResponse ToResponse(ServingStatus status) =>
        new() { Status = (HealthCheckResponse.Types.ServingStatus)(int)status };
}
