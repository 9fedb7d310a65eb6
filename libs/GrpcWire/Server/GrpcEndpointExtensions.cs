using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.GrpcWire;

public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted (RESOURCE_EXHAUSTED above it). Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;
    /// <summary>Largest response message sent. Default: unlimited.</summary>
    public int? MaxSendMessageSize { get; set; }
}

public static class GrpcEndpointExtensions
{
    /// <summary>Registers the gRPC runtime (options, the health service).</summary>
    public static IServiceCollection AddGrpcWire(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
        => throw new NotImplementedException();

    /// <summary>Maps every method <typeparamref name="TService"/> binds (TService is resolved from DI once).</summary>
    public static IEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class, IGrpcService
        => throw new NotImplementedException();
}
