using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed.Hostile;

/// <summary>
/// A tenant of the running topology with something in every table the hostile requests could touch (a person, a link,
/// a punch and its daily results, an unmapped id, both connectors' settings, an adjustment request), the gateway's addresses, and a client sending as its tenant admin.
/// </summary>
internal sealed class HostileWorld : IDisposable
{
    private HostileWorld(Guid tenant, Guid person, string linkedUserId, Uri grpcAddress, Uri httpAddress, string superuser, TopologyCallers callers)
    {
        ImportId = Guid.Empty;
        AdjustmentId = Guid.Empty;
        Tenant = tenant;
        Person = person;
        LinkedUserId = linkedUserId;
        GrpcAddress = grpcAddress;
        HttpAddress = httpAddress;
        SuperuserConnectionString = superuser;
        Callers = callers;
        // A fresh subject per request: the per-principal bucket never empties; the tenant's is retried.
        Client = new HostileClient(() => callers.Token(tenant, AccessRoles.TenantAdmin));
    }

    public Guid Tenant { get; }
    public Guid Person { get; }
    public string LinkedUserId { get; }
    /// <summary>A parsed (not committed) import of the tenant: two rows of the person.</summary>
    public Guid ImportId { get; private set; }
    /// <summary>A waiting adjustment request of the person (issue 14).</summary>
    public Guid AdjustmentId { get; private set; }
    /// <summary>The gateway's HTTP/2-only gRPC port (h2c).</summary>
    public Uri GrpcAddress { get; }
    /// <summary>The gateway's HTTP port (HTTP/1.1 in cleartext).</summary>
    public Uri HttpAddress { get; }
    public string SuperuserConnectionString { get; }
    public TopologyCallers Callers { get; }
    public HostileClient Client { get; }

    public static async Task<HostileWorld> CreateAsync(DistributedAppFixture fixture)
    {
        await fixture.App.WaitHealthyAsync("gateway", TimeSpan.FromSeconds(90));
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        var tenant = Guid.NewGuid();
        var admin = TopologyCallers.Bearer(callers.Token(tenant, AccessRoles.TenantAdmin));
        using var channel = callers.Channel();
        var identity = new IdentityMappingClient(channel);

        var person = await identity.CreatePersonAsync(new() { EmployeeNumber = "HOSTILE-1", DisplayName = "Hostile Input" }, admin);
        var linked = "hx-linked-" + Guid.NewGuid();
        await identity.LinkIdentityAsync(new() { Provider = IdentityProvider.Dingtalk, ExternalUserId = linked, PersonUuid = person.PersonUuid }, admin);
        await identity.ResolveIdentitiesAsync(new() { Provider = IdentityProvider.Wecom, ExternalUserIds = { "hx-queued" }, RecordUnmapped = true }, admin);
        var world = new HostileWorld(tenant, Guid.Parse(person.PersonUuid), linked,
            fixture.App.GetEndpoint("gateway", "grpc"), fixture.App.GetEndpoint("gateway", "http"),
            (await fixture.App.GetConnectionStringAsync("attendance"))!, callers);
        var punch = HostileTargets.Punch(world);
        punch.PunchType = PunchType.In;
        await new PunchLedgerClient(channel).SubmitPunchAsync(new() { Punch = punch }, admin);
        var adjustment = await new HrmsAttendance.Contracts.Adjustments.V1.Adjustments.AdjustmentsClient(channel).RequestAdjustmentAsync(new()
        {
            PersonUuid = person.PersonUuid, PunchTime = punch.PunchTime, PunchType = HrmsAttendance.Contracts.Adjustments.V1.AdjustmentPunchType.Out,
            Reason = "hostile world",
        }, admin);
        world.AdjustmentId = Guid.Parse(adjustment.AdjustmentId);
        // Both connectors' settings (disabled: no connector reaches out to a platform), so their GetSettings answer.
        await new DingTalkIntegrationClient(channel).PutSettingsAsync(
            new() { ClientId = "dinghostile", ClientSecret = "hostile-secret", Enabled = false }, admin);
        await new HrmsAttendance.Contracts.Integrations.WeCom.V1.WeComIntegration.WeComIntegrationClient(channel).PutSettingsAsync(
            new() { CorpId = "wwhostile", CorpSecret = "hostile-secret", Enabled = false }, admin);

        using var http = callers.Http();
        using var prepare = new HttpRequestMessage(HttpMethod.Post, "/api/imports/prepare?format=csv")
        {
            Content = new ByteArrayContent("employee_number,punch_time,punch_type\r\nHOSTILE-1,2026-03-03 08:55,IN\r\nHOSTILE-1,2026-03-03 18:05,OUT\r\n"u8.ToArray()),
        };
        prepare.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", callers.Token(tenant, AccessRoles.TenantAdmin));
        using var prepared = await http.SendAsync(prepare);
        var body = System.Text.Json.JsonDocument.Parse(await prepared.Content.ReadAsStringAsync()).RootElement;
        Assert.True(prepared.IsSuccessStatusCode, body.GetRawText());
        world.ImportId = Guid.Parse(body.GetProperty("import_id").GetString()!);
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            using var status = TopologyCallers.Get($"/api/imports/status?import_id={world.ImportId}", callers.Token(tenant, AccessRoles.TenantAdmin));
            using var answer = await http.SendAsync(status);
            if (System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString() != "PARSING") break;
        }
        return world;
    }

    public Task<TenantSnapshot> SnapshotAsync() => TenantSnapshot.TakeAsync(SuperuserConnectionString, Tenant);

    public void Dispose() => Client.Dispose();
}
