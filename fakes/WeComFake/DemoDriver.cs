using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Integrations.WeCom.V1;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.Configuration;

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
    public static readonly Guid Tenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");
    public const string CorpId = "wwdemocorp";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly string[] Users = ["wecom-demo-1", "wecom-demo-2", "wecom-demo-3"];

    public static async Task RunIfConfiguredAsync(WeComFakeServer fake, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        if (configuration["WeComFake:Demo:Gateway"] is not { Length: > 0 } gateway) return;
        var settings = AccessTokenSettings.FromConfiguration(configuration.GetSection(AccessTokenSettings.ConfigurationSection));
        var token = new AccessTokenIssuer(settings).Issue(new AccessTokenClaims(Tenant, "service:wecom-fake-demo", [AccessRoles.TenantAdmin]), TimeSpan.FromDays(30));
        var secret = Guid.NewGuid().ToString("N");
        fake.RegisterCorp(CorpId, secret);

        using var channel = GrpcChannel.ForAddress(gateway);
        var auth = new Metadata { { "authorization", "Bearer " + token } };
        await SetUpAsync(channel, auth, secret, ct);
        Console.WriteLine($"Demo tenant {Tenant}: WeCom check-ins of wecom-demo-1/2 every {Interval.TotalSeconds:0} s; wecom-demo-3 is parked until linked.");
        _ = Task.Run(async () =>
        {
            var turn = 0;
            while (!ct.IsCancellationRequested)
            {
                var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                foreach (var user in Users) fake.AddRecord(CorpId, user, now, turn % 2 == 0 ? "上班打卡" : "下班打卡");
                turn++;
                try { await Task.Delay(Interval, ct); } catch (OperationCanceledException) { return; }
            }
        }, ct);
    }

    /// <summary>Idempotent: a restart of the demo finds its persons and links and keeps them.</summary>
    private static async Task SetUpAsync(GrpcChannel channel, Metadata auth, string secret, CancellationToken ct)
    {
        var identity = new IdentityMapping.IdentityMappingClient(channel);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                for (var i = 1; i <= 3; i++)
                {
                    var person = await PersonAsync(identity, auth, $"WECOM-{i}", i == 3 ? "WeCom demo person 3 (link wecom-demo-3 to me)" : $"WeCom demo person {i}", ct);
                    try
                    {
                        await identity.LinkIdentityAsync(new LinkIdentityRequest
                        {
                            Provider = IdentityProvider.Wecom, ExternalUserId = Users[i - 1], PersonUuid = person,
                        }, auth, cancellationToken: ct);
                        if (i == 3)
                            await identity.UnlinkIdentityAsync(new UnlinkIdentityRequest { Provider = IdentityProvider.Wecom, ExternalUserId = Users[2] },
                                auth, cancellationToken: ct);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists) { }
                }
                await new WeComIntegration.WeComIntegrationClient(channel).PutSettingsAsync(
                    new PutSettingsRequest { CorpId = CorpId, CorpSecret = secret, Enabled = true }, auth, cancellationToken: ct);
                return;
            }
            catch (RpcException e) when (attempt < 60 && e.StatusCode is StatusCode.Unavailable or StatusCode.Internal)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct); // the gateway or a service is still starting
            }
        }
    }

    private static async Task<string> PersonAsync(IdentityMapping.IdentityMappingClient identity, Metadata auth, string number, string name, CancellationToken ct)
    {
        var found = await identity.ListPersonsAsync(new ListPersonsRequest { Search = number }, auth, cancellationToken: ct);
        if (found.Persons.FirstOrDefault(p => p.EmployeeNumber == number) is { } existing) return existing.PersonUuid;
        return (await identity.CreatePersonAsync(new CreatePersonRequest { EmployeeNumber = number, DisplayName = name }, auth, cancellationToken: ct)).PersonUuid;
    }
}
