using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.StableErrors;

/// <summary>What every gRPC service of ours configures alike on Grpc.AspNetCore.</summary>
public static class GrpcServiceDefaults
{
    /// <summary>
    /// Requests up to 4 MiB (RESOURCE_EXHAUSTED above, with the table's OversizedRequestCode), responses unlimited, gzip responses when the client accepts
    /// gzip; deadlines (grpc-timeout) cancel ServerCallContext.CancellationToken. Refusals (a
    /// <see cref="StableErrorException"/>) become statuses through <paramref name="statuses"/> in
    /// <see cref="StableErrorInterceptor"/>. Adds grpc.health.v1.Health (SERVING when the ASP.NET health checks, i.e.
    /// /health, are healthy) and server reflection (for grpcurl). <paramref name="statuses"/> must name the codes
    /// <see cref="GrpcRequestGuard"/> answers: <see cref="StableErrorTable.MalformedRequestCode"/> (INVALID_ARGUMENT) and
    /// <see cref="StableErrorTable.OversizedRequestCode"/> (RESOURCE_EXHAUSTED).
    /// </summary>
    public static IServiceCollection AddGrpcServiceDefaults(this IServiceCollection services, StableErrorTable statuses)
    {
        if (statuses.MalformedRequestCode is not { } malformed || statuses.GrpcStatusOf(malformed) != Grpc.Core.StatusCode.InvalidArgument
            || statuses.OversizedRequestCode is not { } oversized || statuses.GrpcStatusOf(oversized) != Grpc.Core.StatusCode.ResourceExhausted)
            throw new ArgumentException("A gRPC service's table names a MalformedRequestCode (INVALID_ARGUMENT) and an OversizedRequestCode (RESOURCE_EXHAUSTED).", nameof(statuses));
        services.AddSingleton(statuses);
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<StableErrorInterceptor>();
            options.MaxReceiveMessageSize = 4 * 1024 * 1024;
            options.MaxSendMessageSize = null;
            options.ResponseCompressionAlgorithm = "gzip";
            options.ResponseCompressionLevel = CompressionLevel.Fastest;
        });
        services.AddGrpcHealthChecks();
        services.AddGrpcReflection();
        return services;
    }

    /// <summary>
    /// Maps grpc.health.v1.Health, anonymous (probes and load balancers carry no token; it tells only SERVING or not),
    /// and server reflection, anonymous in Development only (grpcurl list / describe without a token there; elsewhere it
    /// needs one like every other call); and checks every gRPC request's messages before they are parsed
    /// (<see cref="GrpcRequestGuard"/>; it runs after the middleware the service added before calling this).
    /// </summary>
    public static WebApplication MapGrpcServiceDefaults(this WebApplication app)
    {
        app.UseMiddleware<GrpcRequestGuard>();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        var reflection = app.MapGrpcReflectionService();
        if (app.Environment.IsDevelopment())
            reflection.AllowAnonymous();
        return app;
    }
}
