using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// One new tenant of a connector's topology and the calls the tests make about it, through the gateway as the tenant's
/// admin (as a tenant's systems would): its persons, its identity links of the connector's provider, its punches.
/// </summary>
internal abstract class ConnectorWorld : IDisposable
{
    private readonly IdentityProvider _provider;

    protected ConnectorWorld(DistributedApplication app, string dataDirectory, IdentityProvider provider)
    {
        _provider = provider;
        Callers = new TopologyCallers(app, dataDirectory);
        Channel = Callers.Channel();
        Admin = Callers.Token(Tenant, AccessRoles.TenantAdmin);
    }

    protected TopologyCallers Callers { get; }
    public Guid Tenant { get; } = Guid.NewGuid();
    public GrpcChannel Channel { get; }
    public string Admin { get; }

    public CallOptions AsAdmin() => TopologyCallers.Bearer(Admin);

    public Task<Guid> NewPersonAsync() => Callers.NewPersonAsync(Channel, Tenant);

    /// <summary>The tenant in identity's directory: the connector's tokens for it come from identity, which knows it then.</summary>
    protected Task RegisterTenantAsync() => Callers.RegisterTenantAsync(Tenant);

    public Task LinkAsync(string userId, Guid person) => LinkAsync(Channel, userId, person);

    protected async Task LinkAsync(GrpcChannel channel, string userId, Guid person) =>
        await new IdentityMappingClient(channel).LinkIdentityAsync(new LinkIdentityRequest
        {
            Provider = _provider,
            ExternalUserId = userId,
            PersonUuid = person.ToString("D"),
        }, AsAdmin());

    public async Task UnlinkAsync(string userId) =>
        await new IdentityMappingClient(Channel).UnlinkIdentityAsync(new UnlinkIdentityRequest
        {
            Provider = _provider,
            ExternalUserId = userId,
        }, AsAdmin());

    /// <summary>Puts the tenant's integration settings with the JSON route (<c>PUT /api/integrations/&lt;provider&gt;/settings</c>).</summary>
    protected async Task PutSettingsAsync(string path, object body)
    {
        using var http = Callers.Http();
        using var put = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
        put.Headers.Authorization = new("Bearer", Admin);
        using var response = await http.SendAsync(put);
        Assert.True(response.IsSuccessStatusCode, $"PUT settings: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The person's punches of these dates (Asia/Shanghai), from the ledger.</summary>
    public async Task<IReadOnlyList<Punch>> PunchesAsync(Guid person, string from, string to)
    {
        using var call = new PunchLedgerClient(Channel).ListPunches(
            new ListPunchesRequest { PersonUuid = person.ToString("D"), FromDate = from, ToDate = to }, AsAdmin());
        var punches = new List<Punch>();
        await foreach (var punch in call.ResponseStream.ReadAllAsync()) punches.Add(punch);
        return punches;
    }

    public void Dispose() => Channel.Dispose();
}

/// <summary>The connector tests' waits: a condition polled until it holds, or the test fails after <see cref="Patience"/>.</summary>
internal static class Patiently
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

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
}
