using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Fakes.DingTalk;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// One tenant with a DingTalk app: the app registered with the fake, its settings put through the gateway as the
/// tenant's admin, and the calls the tests make about it (all through the gateway, as a tenant's systems would).
/// </summary>
internal sealed class DingTalkWorld : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly ConnectorAppFixture _fixture;
    private readonly TopologyCallers _callers;

    private DingTalkWorld(ConnectorAppFixture fixture)
    {
        _fixture = fixture;
        _callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        Channel = _callers.Channel();
        Admin = _callers.Token(Tenant, AccessRoles.TenantAdmin);
    }

    public Guid Tenant { get; } = Guid.NewGuid();
    public string ClientId { get; } = "ding" + Guid.NewGuid().ToString("N")[..16];
    public string ClientSecret { get; } = "secret-" + Guid.NewGuid().ToString("N");
    public GrpcChannel Channel { get; }
    public string Admin { get; }
    public DingTalkFakeServer DingTalk => _fixture.DingTalk;

    /// <summary>A tenant whose DingTalk stream is open (one replica holds it).</summary>
    public static async Task<DingTalkWorld> ConnectedAsync(ConnectorAppFixture fixture)
    {
        var world = new DingTalkWorld(fixture);
        fixture.DingTalk.RegisterApp(world.ClientId, world.ClientSecret);
        using var http = world._callers.Http();
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/integrations/dingtalk/settings")
        {
            Content = JsonContent.Create(new { client_id = world.ClientId, client_secret = world.ClientSecret, enabled = true }),
        };
        put.Headers.Authorization = new("Bearer", world.Admin);
        using var response = await http.SendAsync(put);
        Assert.True(response.IsSuccessStatusCode, $"PUT settings: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await Eventually(() => fixture.DingTalk.Connections(world.ClientId).OpenNow == 1, "the connector opens the tenant's stream");
        return world;
    }

    public CallOptions AsAdmin() => TopologyCallers.Bearer(Admin);

    public Task<Guid> NewPersonAsync() => _callers.NewPersonAsync(Channel, Tenant);

    public async Task LinkAsync(string userId, Guid person) =>
        await new IdentityMappingClient(Channel).LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = IdentityProvider.Dingtalk,
            ExternalUserId = userId,
            PersonUuid = person.ToString("D"),
        }, AsAdmin());

    public async Task<IReadOnlyList<Punch>> PunchesAsync(Guid person, string from = "2026-03-01", string to = "2026-03-31")
    {
        using var call = new PunchLedgerClient(Channel).ListPunches(
            new ListPunchesRequest { PersonUuid = person.ToString("D"), FromDate = from, ToDate = to }, AsAdmin());
        var punches = new List<Punch>();
        await foreach (var punch in call.ResponseStream.ReadAllAsync()) punches.Add(punch);
        return punches;
    }

    public async Task<HrmsAttendance.Contracts.Integrations.DingTalk.V1.Status> StatusAsync() => await new DingTalkIntegrationClient(Channel).GetStatusAsync(new GetStatusRequest(), AsAdmin());

    /// <summary>Acknowledgements of this app's events so far, by status.</summary>
    public int Acked(string status) => DingTalk.Acks(ClientId).Count(a => a.Status == status);

    public static async Task Eventually(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(100);
        }
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(200);
        }
    }

    /// <summary>An instant on 2026-03-02 (a Monday) in Asia/Shanghai.</summary>
    public static DateTimeOffset OnMonday(int hour, int minute) => new(2026, 3, 2, hour, minute, 0, TimeSpan.FromHours(8));

    public void Dispose() => Channel.Dispose();
}
