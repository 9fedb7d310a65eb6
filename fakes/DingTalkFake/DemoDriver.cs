using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.Configuration;

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
    public static readonly Guid Tenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");
    public const string ClientId = "dingdemoapp";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly string[] Users = ["demo-user-1", "demo-user-2", "demo-user-3"];

    public static async Task RunIfConfiguredAsync(DingTalkFakeServer fake, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        if (configuration["DingTalkFake:Demo:Gateway"] is not { Length: > 0 } gateway) return;
        var settings = AccessTokenSettings.FromConfiguration(configuration.GetSection(AccessTokenSettings.ConfigurationSection));
        var token = new AccessTokenIssuer(settings).Issue(new AccessTokenClaims(Tenant, "service:dingtalk-fake-demo", [AccessRoles.TenantAdmin]), TimeSpan.FromDays(30));
        var secret = Guid.NewGuid().ToString("N");
        fake.RegisterApp(ClientId, secret, corpId: "dingdemocorp");

        using var channel = GrpcChannel.ForAddress(gateway);
        var auth = new Metadata { { "authorization", "Bearer " + token } };
        await SetUpAsync(channel, auth, secret, ct);
        Console.WriteLine($"Demo tenant {Tenant}: DingTalk punches of demo-user-1/2 every {Interval.TotalSeconds:0} s; demo-user-3 is parked until linked.");
        _ = Task.Run(async () =>
        {
            var sequence = 0;
            while (!ct.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                fake.PublishCheckRecords(ClientId, Users.Select(u => (u, now, $"demo-{u}-{now.ToUnixTimeMilliseconds()}-{sequence++}")));
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
                for (var i = 1; i <= 2; i++)
                {
                    var person = await PersonAsync(identity, auth, $"DEMO-{i}", $"Demo person {i}", ct);
                    try
                    {
                        await identity.LinkIdentityAsync(new LinkIdentityRequest
                        {
                            Provider = IdentityProvider.Dingtalk, ExternalUserId = Users[i - 1], PersonUuid = person,
                        }, auth, cancellationToken: ct);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists) { }
                }
                await PersonAsync(identity, auth, "DEMO-3", "Demo person 3 (link demo-user-3 to me)", ct);
                await new DingTalkIntegration.DingTalkIntegrationClient(channel).PutSettingsAsync(
                    new PutSettingsRequest { ClientId = ClientId, ClientSecret = secret, Enabled = true }, auth, cancellationToken: ct);
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
