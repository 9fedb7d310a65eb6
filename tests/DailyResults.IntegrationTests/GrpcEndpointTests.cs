using Grpc.Health.V1;
using HrmsAttendance.Tests.Shared;

namespace HrmsAttendance.DailyResults.IntegrationTests;

/// <summary>What the gRPC port answers besides the contract: grpc.health.v1.Health and server reflection.</summary>
[Collection(DailyResultsServiceCollection.Name)]
public sealed class GrpcEndpointTests(DailyResultsServiceFixture fixture)
{
    [Fact]
    public async Task Grpc_health_answers_SERVING()
    {
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await GrpcProbes.CheckHealthAsync(fixture.Channel));
    }

    [Fact]
    public async Task Reflection_lists_daily_results_and_health()
    {
        var services = await GrpcProbes.ListServicesAsync(fixture.Channel);

        Assert.Contains("attendance.results.v1.DailyResults", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
