using Grpc.Core;
using HrmsAttendance.AppHost.Tests.Distributed.Hostile;
using HrmsAttendance.Tokens;
using Npgsql;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// What the README tells a caller whose SubmitPunch timed out (issue 15, found 7): the punch may have been recorded
/// anyway, and a retry with the same request_id records it exactly once.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class RetryAfterTimeoutTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task Calls_that_timed_out_then_a_retry_with_the_same_request_id_record_the_punch_exactly_once()
    {
        using var world = await HostileWorld.CreateAsync(fixture);
        using var channel = world.Callers.Channel();
        var ledger = new PunchLedgerClient(channel);
        var token = world.Callers.Token(world.Tenant, AccessRoles.TenantAdmin);
        var punch = HostileTargets.Punch(world);

        var statuses = new List<StatusCode>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                await ledger.SubmitPunchAsync(new() { Punch = punch }, new CallOptions(
                    new Metadata { { "authorization", "Bearer " + token } }, DateTime.UtcNow.AddMilliseconds(1)));
                statuses.Add(StatusCode.OK);
            }
            catch (RpcException e)
            {
                statuses.Add(e.StatusCode);
            }
        }
        var retry = await ledger.SubmitPunchAsync(new() { Punch = punch }, TopologyCallers.Bearer(token));

        Assert.All(statuses, s => Assert.Contains(s, new[] { StatusCode.OK, StatusCode.DeadlineExceeded, StatusCode.Cancelled }));
        Assert.Equal(1, await CountAsync(world, punch.RequestId));
        if (statuses.Contains(StatusCode.OK))
            Assert.True(retry.Duplicate, "an attempt was acknowledged, so the retry is its duplicate");
    }

    private static async Task<long> CountAsync(HostileWorld world, string requestId)
    {
        await using var connection = new NpgsqlConnection(world.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM staffing.time_punch_events WHERE tenant_id = $1 AND request_id = $2", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = world.Tenant });
        count.Parameters.Add(new NpgsqlParameter { Value = requestId });
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
