using Grpc.Net.Client;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>Test-side conveniences over Aspire's <see cref="DistributedApplication"/>.</summary>
public static class DistributedApplicationExtensions
{
    /// <summary>A channel to the resource's <c>grpc</c> endpoint (HTTP/2 cleartext). The caller disposes it.</summary>
    public static GrpcChannel CreateGrpcChannel(this DistributedApplication app, string resourceName) =>
        GrpcChannel.ForAddress(app.GetEndpoint(resourceName, "grpc"));

    /// <summary>Waits (no sleeping: state changes wake it) until the resource is Running and Healthy.</summary>
    public static async Task<ResourceEvent> WaitHealthyAsync(this DistributedApplication app, string resourceName, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await app.ResourceNotifications.WaitForResourceHealthyAsync(resourceName, cancel.Token);
    }

    /// <summary>The resource's process id, as DCP reports it.</summary>
    public static int? ProcessId(this ResourceEvent resource) =>
        resource.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string text when int.TryParse(text, out var pid) => pid,
            _ => null,
        };
}
