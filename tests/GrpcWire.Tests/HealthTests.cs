using HrmsAttendance.GrpcWire.Health.V1;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;

namespace HrmsAttendance.GrpcWire.Tests;

[Collection(ServerCollection.Name)]
public class HealthTests(TestServerHost server)
{
    [Fact]
    public async Task The_server_as_a_whole_is_SERVING()
    {
        var reply = await server.Channel.UnaryAsync(GrpcHealthService.CheckMethod, new HealthCheckRequest { Service = "" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task An_unknown_service_is_NOT_FOUND()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            server.Channel.UnaryAsync(GrpcHealthService.CheckMethod, new HealthCheckRequest { Service = "no.such.Service" }));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task A_service_sets_its_own_status_and_Watch_sees_every_change()
    {
        var name = "health.test." + Guid.NewGuid().ToString("N");
        server.Health.SetStatus(name, ServingStatus.Serving);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
            (await server.Channel.UnaryAsync(GrpcHealthService.CheckMethod, new HealthCheckRequest { Service = name })).Status);

        using var watch = server.Channel.ServerStreaming(GrpcHealthService.WatchMethod, new HealthCheckRequest { Service = name });
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);

        server.Health.SetStatus(name, ServingStatus.NotServing);
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);

        server.Health.ClearStatus(name);
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.ServiceUnknown, watch.ResponseStream.Current.Status);
    }
}
