using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Integrations.WeCom.V1;

namespace HrmsAttendance.Fakes.WeCom;

/// <summary>
/// <c>dotnet run --project AppHost -- --demo</c>: sets up the demo tenant's WeCom side through the gateway as its admin
/// (persons WECOM-1..3; WeCom user ids linked to the first two; <c>wecom-demo-3</c> linked to the third and unlinked
/// again, so it stays on the poller's roster without a person; the tenant's WeCom corp pointed at this fake), then adds
/// a check-in record for each of the three users every <see cref="Interval"/>. The third user's punches are parked
/// until someone links <c>wecom-demo-3</c> again, then replayed. Configured by the AppHost: <c>WeComFake__Demo__Gateway</c>
/// (the gateway's gRPC address) and the topology's token settings.
/// </summary>
public static class DemoDriver
{
    /// <summary>The same demo tenant as the DingTalk fake's.</summary>
    public static readonly Guid Tenant = DemoGateway.Tenant;
    public const string CorpId = "wwdemocorp";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly string[] Users = ["wecom-demo-1", "wecom-demo-2", "wecom-demo-3"];

    public static async Task RunIfConfiguredAsync(WeComFakeServer fake, CancellationToken ct)
    {
        using var gateway = DemoGateway.FromEnvironment("WeComFake:Demo:Gateway", "service:wecom-fake-demo");
        if (gateway is null) return;
        var secret = Guid.NewGuid().ToString("N");
        fake.RegisterCorp(CorpId, secret);

        // Idempotent: a restart of the demo finds its persons and links and keeps them.
        await gateway.SetUpAsync(async () =>
        {
            for (var i = 1; i <= 3; i++)
            {
                var person = await gateway.PersonAsync($"WECOM-{i}", i == 3 ? "WeCom demo person 3 (link wecom-demo-3 to me)" : $"WeCom demo person {i}", ct);
                if (await gateway.LinkAsync(IdentityProvider.Wecom, Users[i - 1], person, ct) && i == 3)
                    await gateway.Identity.UnlinkIdentityAsync(new UnlinkIdentityRequest { Provider = IdentityProvider.Wecom, ExternalUserId = Users[2] },
                        gateway.Auth, cancellationToken: ct);
            }
            await new WeComIntegration.WeComIntegrationClient(gateway.Channel).PutSettingsAsync(
                new PutSettingsRequest { CorpId = CorpId, CorpSecret = secret, Enabled = true }, gateway.Auth, cancellationToken: ct);
        }, ct);
        Console.WriteLine($"Demo tenant {Tenant}: WeCom check-ins of wecom-demo-1/2 every {Interval.TotalSeconds:0} s; wecom-demo-3 is parked until linked.");
        DemoGateway.Every(Interval, turn =>
        {
            var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            foreach (var user in Users) fake.AddRecord(CorpId, user, now, turn % 2 == 0 ? "上班打卡" : "下班打卡");
        }, ct);
    }
}
