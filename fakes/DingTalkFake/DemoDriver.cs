using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;

namespace HrmsAttendance.Fakes.DingTalk;

/// <summary>
/// <c>dotnet run --project AppHost -- --demo</c>: sets up a demo tenant through the gateway as its admin (three persons,
/// DingTalk user ids linked to two of them, the tenant's DingTalk app pointed at this fake), then pushes a check record
/// for each of the three users every <see cref="Interval"/>. The third user's punches are parked until someone links
/// <c>demo-user-3</c> (e.g. with LinkIdentity through the gateway), then replayed. Configured by the AppHost:
/// <c>DingTalkFake__Demo__Gateway</c> (the gateway's gRPC address) and the topology's token settings.
/// </summary>
public static class DemoDriver
{
    public static readonly Guid Tenant = DemoGateway.Tenant;
    public const string ClientId = "dingdemoapp";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly string[] Users = ["demo-user-1", "demo-user-2", "demo-user-3"];

    public static async Task RunIfConfiguredAsync(DingTalkFakeServer fake, CancellationToken ct)
    {
        using var gateway = DemoGateway.FromEnvironment("DingTalkFake:Demo:Gateway", "service:dingtalk-fake-demo");
        if (gateway is null) return;
        var secret = Guid.NewGuid().ToString("N");
        fake.RegisterApp(ClientId, secret, corpId: "dingdemocorp");

        // Idempotent: a restart of the demo finds its persons and links and keeps them.
        await gateway.SetUpAsync(async () =>
        {
            for (var i = 1; i <= 2; i++)
                await gateway.LinkAsync(IdentityProvider.Dingtalk, Users[i - 1], await gateway.PersonAsync($"DEMO-{i}", $"Demo person {i}", ct), ct);
            await gateway.PersonAsync("DEMO-3", "Demo person 3 (link demo-user-3 to me)", ct);
            await new DingTalkIntegration.DingTalkIntegrationClient(gateway.Channel).PutSettingsAsync(
                new PutSettingsRequest { ClientId = ClientId, ClientSecret = secret, Enabled = true }, gateway.Auth, cancellationToken: ct);
        }, ct);
        Console.WriteLine($"Demo tenant {Tenant}: DingTalk punches of demo-user-1/2 every {Interval.TotalSeconds:0} s; demo-user-3 is parked until linked.");
        DemoGateway.Every(Interval, turn =>
        {
            var now = DateTimeOffset.UtcNow;
            fake.PublishCheckRecords(ClientId, Users.Select(u => (u, now, $"demo-{u}-{now.ToUnixTimeMilliseconds()}-{turn}")));
        }, ct);
    }
}
