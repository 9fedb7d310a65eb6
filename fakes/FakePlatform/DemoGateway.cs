using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.Fakes;

/// <summary>
/// A demo driver's way into the topology: the gateway's gRPC address from the environment (set by the AppHost's
/// <c>--demo</c>), a token of the demo tenant's admin from the topology's token settings, and the idempotent set-up
/// calls (persons by employee number, links), retried while the gateway or a service is still starting.
/// </summary>
public sealed class DemoGateway : IDisposable
{
    /// <summary>The one demo tenant both fakes' drivers set up.</summary>
    public static readonly Guid Tenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");

    private DemoGateway(GrpcChannel channel, Metadata auth)
    {
        Channel = channel;
        Auth = auth;
        Identity = new IdentityMapping.IdentityMappingClient(channel);
    }

    public GrpcChannel Channel { get; }
    public Metadata Auth { get; }
    public IdentityMapping.IdentityMappingClient Identity { get; }

    /// <summary>The session, or null when the environment has no <paramref name="gatewayKey"/> (the fake runs without its demo).</summary>
    public static DemoGateway? FromEnvironment(string gatewayKey, string subject)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        if (configuration[gatewayKey] is not { Length: > 0 } gateway) return null;
        var settings = AccessTokenSettings.FromConfiguration(configuration.GetSection(AccessTokenSettings.ConfigurationSection));
        var token = new AccessTokenIssuer(settings).Issue(new AccessTokenClaims(Tenant, subject, [AccessRoles.TenantAdmin]), TimeSpan.FromDays(30));
        return new DemoGateway(GrpcChannel.ForAddress(gateway), new Metadata { { "authorization", "Bearer " + token } });
    }

    /// <summary>Runs the (idempotent) set-up, again every 2 s while the gateway or a service is still starting (two minutes at most).</summary>
    public async Task SetUpAsync(Func<Task> steps, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await steps();
                return;
            }
            // Starting services answer UNAVAILABLE/INTERNAL; a loaded topology may also answer the gateway's
            // RESOURCE_EXHAUSTED or a deadline. Say why in the console (the dashboard's and the tests' logs).
            catch (RpcException e) when (attempt < 60 && e.StatusCode is StatusCode.Unavailable or StatusCode.Internal
                                             or StatusCode.ResourceExhausted or StatusCode.DeadlineExceeded)
            {
                Console.WriteLine($"demo set-up waits (attempt {attempt + 1}): {e.Status.StatusCode} {e.Status.Detail}");
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }

    /// <summary>
    /// The person with this employee number, created when there is none. Another seed may create it at the same moment
    /// (identity's Development users are DEMO-1..3 of the same tenant): then the number is taken, and that person is it.
    /// </summary>
    public async Task<string> PersonAsync(string number, string name, CancellationToken ct)
    {
        if (await FindPersonAsync(number, ct) is { } existing) return existing;
        try
        {
            return (await Identity.CreatePersonAsync(new CreatePersonRequest { EmployeeNumber = number, DisplayName = name }, Auth, cancellationToken: ct)).PersonUuid;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            if (await FindPersonAsync(number, ct) is { } created) return created;
            throw;
        }
    }

    private async Task<string?> FindPersonAsync(string number, CancellationToken ct)
    {
        var found = await Identity.ListPersonsAsync(new ListPersonsRequest { Search = number }, Auth, cancellationToken: ct);
        return found.Persons.FirstOrDefault(p => p.EmployeeNumber == number)?.PersonUuid;
    }

    /// <summary>Links the id to the person; false when it was linked already (a restart of the demo).</summary>
    public async Task<bool> LinkAsync(IdentityProvider provider, string externalUserId, string person, CancellationToken ct)
    {
        try
        {
            await Identity.LinkIdentityAsync(new LinkIdentityRequest { Provider = provider, ExternalUserId = externalUserId, PersonUuid = person },
                Auth, cancellationToken: ct);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            return false;
        }
    }

    /// <summary>Calls <paramref name="tick"/> (with its turn: 0, 1, …) now and every <paramref name="interval"/> in the background.</summary>
    public static void Every(TimeSpan interval, Action<int> tick, CancellationToken ct) => _ = Task.Run(async () =>
    {
        for (var turn = 0; !ct.IsCancellationRequested; turn++)
        {
            tick(turn);
            try { await Task.Delay(interval, ct); } catch (OperationCanceledException) { return; }
        }
    }, ct);

    public void Dispose() => Channel.Dispose();
}
