using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Fakes.DingTalk;
using static HrmsAttendance.AppHost.Tests.Distributed.Connectors.Patiently;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>One tenant with a DingTalk app: the app registered with the fake, its settings put through the gateway as the tenant's admin.</summary>
internal sealed class DingTalkWorld : ConnectorWorld
{
    private DingTalkWorld(DingTalkAppFixture fixture) : base(fixture.App, fixture.DataDirectory, IdentityProvider.Dingtalk) =>
        DingTalk = fixture.DingTalk;

    public string ClientId { get; } = "ding" + Guid.NewGuid().ToString("N")[..16];
    public string ClientSecret { get; } = "secret-" + Guid.NewGuid().ToString("N");
    public DingTalkFakeServer DingTalk { get; }

    /// <summary>A tenant whose DingTalk stream is open (one replica holds it).</summary>
    public static async Task<DingTalkWorld> ConnectedAsync(DingTalkAppFixture fixture)
    {
        var world = new DingTalkWorld(fixture);
        await world.RegisterTenantAsync();
        fixture.DingTalk.RegisterApp(world.ClientId, world.ClientSecret);
        await world.PutSettingsAsync("/api/integrations/dingtalk/settings",
            new { client_id = world.ClientId, client_secret = world.ClientSecret, enabled = true });
        await Eventually(() => fixture.DingTalk.Connections(world.ClientId).OpenNow == 1, "the connector opens the tenant's stream");
        return world;
    }

    /// <summary>The person's punches in March 2026 (the tests' check records are on 2026-03-02) unless other dates are asked for.</summary>
    public new Task<IReadOnlyList<Punch>> PunchesAsync(Guid person, string from = "2026-03-01", string to = "2026-03-31") =>
        base.PunchesAsync(person, from, to);

    public async Task<Status> StatusAsync() => await new DingTalkIntegrationClient(Channel).GetStatusAsync(new GetStatusRequest(), AsAdmin());

    /// <summary>Acknowledgements of this app's events so far, by status.</summary>
    public int Acked(string status) => DingTalk.Acks(ClientId).Count(a => a.Status == status);

    /// <summary>An instant on 2026-03-02 (a Monday) in Asia/Shanghai.</summary>
    public static DateTimeOffset OnMonday(int hour, int minute) => new(2026, 3, 2, hour, minute, 0, TimeSpan.FromHours(8));
}
