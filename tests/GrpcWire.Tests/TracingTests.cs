using System.Diagnostics;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests;

[Collection(ServerCollection.Name)]
public class TracingTests(TestServerHost server)
{
    [Fact]
    public async Task The_aspnetcore_server_activity_carries_the_rpc_tags()
    {
        var callId = Guid.NewGuid().ToString();
        var tagged = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("rpc.method") as string == "Fail") tagged.TrySetResult(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);

        await Assert.ThrowsAsync<RpcException>(() =>
            server.Channel.UnaryAsync(WireTestMethods.Fail, new FailRequest { Code = (int)StatusCode.NotFound, Message = callId }));

        var activity = await tagged.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("grpc", activity.GetTagItem("rpc.system"));
        Assert.Equal(WireTestMethods.Service, activity.GetTagItem("rpc.service"));
        Assert.Equal((int)StatusCode.NotFound, activity.GetTagItem("rpc.grpc.status_code"));
    }
}
