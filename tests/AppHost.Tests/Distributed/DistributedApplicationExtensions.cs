using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Hosting;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>Test-side conveniences over <see cref="DistributedApplication"/> (hosting/ does not know gRPC).</summary>
public static class DistributedApplicationExtensions
{
    /// <summary>A channel to the resource's <c>grpc</c> endpoint (HTTP/2 cleartext). The caller disposes it.</summary>
    public static GrpcChannel CreateGrpcChannel(this DistributedApplication app, string resourceName) =>
        GrpcChannel.ForAddress(app.GetEndpoint(resourceName, ProjectResource.GrpcEndpointName));

    /// <summary>Waits (no sleeping: state changes wake it) until the resource is Running and Healthy.</summary>
    public static async Task<ResourceStatus> WaitHealthyAsync(this DistributedApplication app, string resourceName, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await app.WaitForResourceHealthyAsync(resourceName, cancel.Token);
    }
}
