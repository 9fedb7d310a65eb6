using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Fakes.WeCom;
using HrmsAttendance.Tokens;
using WeComIntegrationClient = HrmsAttendance.Contracts.Integrations.WeCom.V1.WeComIntegration.WeComIntegrationClient;
using WeComStatus = HrmsAttendance.Contracts.Integrations.WeCom.V1.Status;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// One tenant with a WeCom corp: the corp registered with the fake, its settings put through the gateway as the tenant's
/// admin, and the calls the tests make about it (through the gateway; the many links of a big roster straight to
/// identity-mapping, past the gateway's rate limits).
/// </summary>
internal sealed class WeComWorld : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly WeComAppFixture _fixture;
    private readonly TopologyCallers _callers;

    private WeComWorld(WeComAppFixture fixture)
    {
        _fixture = fixture;
        _callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        Channel = _callers.Channel();
        Admin = _callers.Token(Tenant, AccessRoles.TenantAdmin);
    }

    public Guid Tenant { get; } = Guid.NewGuid();
    public string CorpId { get; } = "ww" + Guid.NewGuid().ToString("N")[..16];
    public string CorpSecret { get; } = "secret-" + Guid.NewGuid().ToString("N");
    public GrpcChannel Channel { get; }
    public string Admin { get; }
    public WeComFakeServer WeCom => _fixture.WeCom;

    /// <summary>A tenant whose WeCom integration is enabled and polled at least once.</summary>
    public static async Task<WeComWorld> PolledAsync(WeComAppFixture fixture)
    {
        var world = new WeComWorld(fixture);
        fixture.WeCom.RegisterCorp(world.CorpId, world.CorpSecret);
        using var http = world._callers.Http();
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/integrations/wecom/settings")
        {
            Content = JsonContent.Create(new { corp_id = world.CorpId, corp_secret = world.CorpSecret, enabled = true }),
        };
        put.Headers.Authorization = new("Bearer", world.Admin);
        using var response = await http.SendAsync(put);
        Assert.True(response.IsSuccessStatusCode, $"PUT settings: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await EventuallyAsync(async () => (await world.StatusAsync()).LastSuccessAt is not null, "the connector polls the tenant once");
        return world;
    }

    public CallOptions AsAdmin() => TopologyCallers.Bearer(Admin);

    public Task<Guid> NewPersonAsync() => _callers.NewPersonAsync(Channel, Tenant);

    public Task LinkAsync(string userId, Guid person) => LinkAsync(Channel, userId, person);

    /// <summary>Links the ids straight at identity-mapping (a roster of hundreds would meet the gateway's per-principal bucket).</summary>
    public async Task LinkManyAsync(IEnumerable<string> userIds, Guid person)
    {
        using var direct = _fixture.App.CreateGrpcChannel("identity-mapping");
        foreach (var userId in userIds) await LinkAsync(direct, userId, person);
    }

    private async Task LinkAsync(GrpcChannel channel, string userId, Guid person) =>
        await new IdentityMappingClient(channel).LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = IdentityProvider.Wecom,
            ExternalUserId = userId,
            PersonUuid = person.ToString("D"),
        }, AsAdmin());

    public async Task UnlinkAsync(string userId) =>
        await new IdentityMappingClient(Channel).UnlinkIdentityAsync(new UnlinkIdentityRequest
        {
            Provider = IdentityProvider.Wecom,
            ExternalUserId = userId,
        }, AsAdmin());

    /// <summary>The person's punches of yesterday, today and tomorrow (Asia/Shanghai dates).</summary>
    public async Task<IReadOnlyList<Punch>> PunchesAsync(Guid person)
    {
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        using var call = new PunchLedgerClient(Channel).ListPunches(new ListPunchesRequest
        {
            PersonUuid = person.ToString("D"),
            FromDate = today.AddDays(-1).ToString("yyyy-MM-dd"),
            ToDate = today.AddDays(1).ToString("yyyy-MM-dd"),
        }, AsAdmin());
        var punches = new List<Punch>();
        await foreach (var punch in call.ResponseStream.ReadAllAsync()) punches.Add(punch);
        return punches;
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

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(200);
        }
    }

    public void Dispose() => Channel.Dispose();
}
