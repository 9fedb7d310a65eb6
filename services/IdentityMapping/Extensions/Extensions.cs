using System.IO.Compression;
using HrmsAttendance.Database;
using HrmsAttendance.IdentityMapping.Data;
using HrmsAttendance.IdentityMapping.Grpc;
using HrmsAttendance.IdentityMapping.Model;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;

namespace HrmsAttendance.IdentityMapping.Extensions;

internal static class Extensions
{
    /// <summary>The connection string name: the service's own NOSUPERUSER NOBYPASSRLS role (identity_mapping_app).</summary>
    public const string DatabaseName = "attendance";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDataSource(DatabaseName);

        builder.Services.AddSingleton<PersonStore>();
        builder.Services.AddSingleton<IdentityLinkStore>();
        builder.Services.AddSingleton<IdentityMappingService>();
        builder.Services.AddServiceActivitySource(IdentityMappingService.ActivitySource.Name);

        // gRPC on Grpc.AspNetCore: requests up to 4 MiB (RESOURCE_EXHAUSTED above),
        // responses unlimited; gzip responses when the client accepts gzip. Deadlines (grpc-timeout) cancel
        // ServerCallContext.CancellationToken. Refusals (XxxException) become statuses in StableErrorInterceptor.
        builder.Services.AddSingleton(IdentityErrors.Statuses);
        builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<StableErrorInterceptor>();
            options.MaxReceiveMessageSize = 4 * 1024 * 1024;
            options.MaxSendMessageSize = null;
            options.ResponseCompressionAlgorithm = "gzip";
            options.ResponseCompressionLevel = CompressionLevel.Fastest;
        });
        // grpc.health.v1.Health answers from the ASP.NET health checks (/health): SERVING when all are healthy.
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
    }
}
