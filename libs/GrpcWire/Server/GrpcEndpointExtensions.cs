using HrmsAttendance.GrpcWire.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.GrpcWire;

public static class GrpcEndpointExtensions
{
    /// <summary>Registers the gRPC runtime (options, the health service).</summary>
    public static IServiceCollection AddGrpcWire(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        services.AddRouting();
        services.AddOptions<GrpcServerOptions>();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton<GrpcServiceRegistry>();
        services.TryAddSingleton<GrpcHealthService>();
        return services;
    }

    /// <summary>
    /// Maps every method <typeparamref name="TService"/> binds (TService is resolved from DI once, or
    /// created with its constructor dependencies from DI when not registered). The first call also maps
    /// the UNIMPLEMENTED catch-all and <c>grpc.health.v1.Health</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class, IGrpcService
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var service = services.GetService<TService>() ?? ActivatorUtilities.CreateInstance<TService>(services);
        var builder = MapService(endpoints, service);
        MapHealthOnce(endpoints);
        return builder;
    }

    /// <summary>
    /// Maps only <c>grpc.health.v1.Health</c> (and the catch-all), for an app with no other gRPC service.
    /// Idempotent: <see cref="MapGrpcService{TService}"/> already does this.
    /// </summary>
    public static IEndpointRouteBuilder MapGrpcHealthService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        MapHealthOnce(endpoints);
        return endpoints;
    }

    private static void MapHealthOnce(IEndpointRouteBuilder endpoints)
    {
        var registry = GetRegistry(endpoints);
        if (registry.HealthServiceMapped) return;
        registry.HealthServiceMapped = true;
        MapService(endpoints, endpoints.ServiceProvider.GetRequiredService<GrpcHealthService>());
    }

    private static IEndpointConventionBuilder MapService(IEndpointRouteBuilder endpoints, IGrpcService service)
    {
        var registry = GetRegistry(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<GrpcServerOptions>>().Value;
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("HrmsAttendance.GrpcWire.Server");

        var binder = new GrpcServiceBinder();
        service.Bind(binder);
        var builders = new List<IEndpointConventionBuilder>();
        foreach (var method in binder.Methods)
        {
            registry.Add(method);
            var handler = new ServerCallHandler(method, options, logger);
            builders.Add(endpoints.MapPost(method.FullName, handler.HandleAsync).WithDisplayName("gRPC " + method.FullName));
        }
        MapUnimplementedOnce(endpoints, registry);
        return new CompositeEndpointConventionBuilder(builders);
    }

    private static void MapUnimplementedOnce(IEndpointRouteBuilder endpoints, GrpcServiceRegistry registry)
    {
        if (registry.UnimplementedEndpointMapped) return;
        registry.UnimplementedEndpointMapped = true;
        var pattern = RoutePatternFactory.Parse(UnimplementedEndpoint.Pattern, defaults: null,
            parameterPolicies: new { grpcService = new GrpcContentTypeConstraint() });
        endpoints.Map(pattern, context => UnimplementedEndpoint.HandleAsync(context, registry))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Post]))
            .WithDisplayName("gRPC unimplemented")
            .Add(b => ((RouteEndpointBuilder)b).Order = int.MaxValue); // after every app route
    }

    private static GrpcServiceRegistry GetRegistry(IEndpointRouteBuilder endpoints) =>
        endpoints.ServiceProvider.GetService<GrpcServiceRegistry>()
        ?? throw new InvalidOperationException("Call services.AddGrpcWire() before mapping gRPC services.");

    /// <summary>Applies a convention (auth, metadata…) to every method endpoint of a service.</summary>
    private sealed class CompositeEndpointConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders) builder.Add(convention);
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders) builder.Finally(finallyConvention);
        }
    }
}
