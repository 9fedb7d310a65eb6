using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Fakes.WeCom;
using static HrmsAttendance.AppHost.Tests.Distributed.Connectors.Patiently;
using WeComIntegrationClient = HrmsAttendance.Contracts.Integrations.WeCom.V1.WeComIntegration.WeComIntegrationClient;
using WeComStatus = HrmsAttendance.Contracts.Integrations.WeCom.V1.Status;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// One tenant with a WeCom corp: the corp registered with the fake, its settings put through the gateway as the tenant's
/// admin (the many links of a big roster straight to identity-mapping, past the gateway's rate limits).
/// </summary>
internal sealed class WeComWorld : ConnectorWorld
{
    private readonly DistributedApplication _app;

    private WeComWorld(WeComAppFixture fixture) : base(fixture.App, fixture.DataDirectory, IdentityProvider.Wecom)
    {
        _app = fixture.App;
        WeCom = fixture.WeCom;
    }

    public string CorpId { get; } = "ww" + Guid.NewGuid().ToString("N")[..16];
    public string CorpSecret { get; } = "secret-" + Guid.NewGuid().ToString("N");
    public WeComFakeServer WeCom { get; }

    /// <summary>A tenant whose WeCom integration is enabled and polled at least once.</summary>
    public static async Task<WeComWorld> PolledAsync(WeComAppFixture fixture)
    {
        var world = new WeComWorld(fixture);
        await world.RegisterTenantAsync();
        fixture.WeCom.RegisterCorp(world.CorpId, world.CorpSecret);
        await world.PutSettingsAsync("/api/integrations/wecom/settings",
            new { corp_id = world.CorpId, corp_secret = world.CorpSecret, enabled = true });
        await EventuallyAsync(async () => (await world.StatusAsync()).LastSuccessAt is not null, "the connector polls the tenant once");
        return world;
    }

    /// <summary>Links the ids straight at identity-mapping (a roster of hundreds would meet the gateway's per-principal bucket).</summary>
    public async Task LinkManyAsync(IEnumerable<string> userIds, Guid person)
    {
        using var direct = _app.CreateGrpcChannel("identity-mapping");
        foreach (var userId in userIds) await LinkAsync(direct, userId, person);
    }

    /// <summary>The person's punches of yesterday, today and tomorrow (Asia/Shanghai dates).</summary>
    public Task<IReadOnlyList<Punch>> PunchesAsync(Guid person)
    {
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        return PunchesAsync(person, today.AddDays(-1).ToString("yyyy-MM-dd"), today.AddDays(1).ToString("yyyy-MM-dd"));
    }

    public async Task<WeComStatus> StatusAsync() =>
        await new WeComIntegrationClient(Channel).GetStatusAsync(new(), AsAdmin());

    /// <summary>Waits until the tenant has <paramref name="more"/> successful polls beyond now's.</summary>
    public async Task MorePollsAsync(int more)
    {
        var polls = (await StatusAsync()).Polls;
        await EventuallyAsync(async () => (await StatusAsync()).Polls >= polls + more, $"{more} more polls");
    }

    /// <summary>A whole second a few minutes ago (inside the overlap).</summary>
    public static DateTimeOffset MinutesAgo(int minutes) =>
        DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-minutes).ToUnixTimeSeconds());
}
