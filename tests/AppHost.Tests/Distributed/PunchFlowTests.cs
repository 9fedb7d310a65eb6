using System.Diagnostics;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>A punch through the whole topology: gRPC into punch-ledger, Postgres, and its spans in the dashboard.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class PunchFlowTests(DistributedAppFixture fixture) : IAsyncLifetime
{
    private static readonly DateOnly Monday = new(2026, 3, 2);
    private readonly Guid _tenant = Guid.NewGuid();
    private Guid _person;

    /// <summary>The punches' person, registered on identity-mapping's own port (the ledger records known persons only).</summary>
    public async Task InitializeAsync()
    {
        await fixture.App.WaitHealthyAsync("identity-mapping", TimeSpan.FromSeconds(60));
        using var channel = fixture.App.CreateGrpcChannel("identity-mapping");
        _person = await new TopologyCallers(fixture.App, fixture.DataDirectory).NewPersonAsync(channel, _tenant);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Straight to punch-ledger's port, as a connector would: a token of the tenant, role integration.</summary>
    private string IntegrationToken() =>
        new TopologyCallers(fixture.App, fixture.DataDirectory).Token(_tenant, AccessRoles.Integration);

    [Fact]
    public async Task A_punch_sent_to_the_grpc_endpoint_is_in_the_daily_results()
    {
        var app = fixture.App;
        await app.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(60));
        using var channel = app.CreateGrpcChannel("punch-ledger");
        var at = new DateTimeOffset(2026, 3, 2, 8, 58, 0, Punches.Shanghai);

        var response = await new PunchLedgerClient(channel).SubmitPunchAsync(Punches.In(_person, at), Punches.For(IntegrationToken()));

        Assert.False(response.Duplicate);
        Assert.Contains("2026-03-02", response.AffectedWorkDates);
        var result = await Punches.ReadDailyResultAsync((await app.GetConnectionStringAsync("attendance"))!, _tenant, _person, Monday);
        Assert.NotNull(result);
        Assert.Equal("EXCEPTION", result.Value.Status);
        Assert.Equal(["MISSING_OUT"], result.Value.Flags);
        Assert.Equal(1, result.Value.PunchCount);
        Assert.Equal(at.UtcDateTime, result.Value.FirstIn);
    }

    [Fact]
    public async Task The_server_span_and_the_Npgsql_span_of_a_call_reach_the_dashboard_under_one_trace()
    {
        var app = fixture.App;
        await app.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(60));
        using var channel = app.CreateGrpcChannel("punch-ledger");
        var traceId = ActivityTraceId.CreateRandom();

        await new PunchLedgerClient(channel).SubmitPunchAsync(
            Punches.In(_person, new DateTimeOffset(2026, 3, 3, 9, 0, 0, Punches.Shanghai)), Punches.For(IntegrationToken(), traceId));

        // The services export spans every second; the dashboard's telemetry API shows what it received.
        var spans = await fixture.Telemetry.WaitForTraceAsync(traceId.ToHexString(),
            t => t.Any(s => s.IsServer && s.Service == "punch-ledger") && t.Any(s => s.Scope == "Npgsql" && s.Service == "punch-ledger"),
            TimeSpan.FromSeconds(30));

        var server = spans.First(s => s.IsServer && s.Service == "punch-ledger");
        Assert.Contains("SubmitPunch", server.Name);
        Assert.All(spans, s => Assert.Equal(traceId.ToHexString(), s.TraceId));
        var npgsql = spans.First(s => s.Scope == "Npgsql");
        Assert.True(npgsql.StartUnixNano >= server.StartUnixNano && npgsql.EndUnixNano <= server.EndUnixNano,
            "the Npgsql span lies within the server span");
    }
}
