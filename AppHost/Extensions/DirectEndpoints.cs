using HrmsAttendance.Hosting.LocalServers;
using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.AppHost.Extensions;

/// <summary>
/// The projects listen on their endpoints' ports themselves instead of behind DCP's TCP proxy. The proxy is a relay
/// process on every connection (it exists for replicas and for ports that outlive a process); each service here runs
/// once, and the gateway's hop to a service would otherwise cross two relays. Measured in bench/Gateway.Benchmarks.
/// </summary>
public static class DirectEndpoints
{
    /// <summary>Set by Aspire.Hosting.Testing: every run takes free ports, so parallel runs never collide.</summary>
    private const string RandomizePortsKey = "DcpPublisher:RandomizePorts";

    public static IResourceBuilder<ProjectResource> WithDirectEndpoints(this IResourceBuilder<ProjectResource> project)
    {
        var randomize = project.ApplicationBuilder.Configuration.GetValue<bool>(RandomizePortsKey);
        foreach (var endpoint in project.Resource.Annotations.OfType<EndpointAnnotation>())
        {
            endpoint.IsProxied = false;
            // A proxy-less endpoint needs its port up front (DCP allocates none): the configured one, or a free one.
            if (randomize || endpoint.Port is null)
                endpoint.Port = LoopbackPorts.Free();
            endpoint.TargetPort = endpoint.Port;
        }
        return project;
    }
}
