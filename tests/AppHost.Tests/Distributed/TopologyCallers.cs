using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Tokens;
using Npgsql;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// Callers of the running topology: tokens signed with the AppHost's development key (the gateway and every service accept
/// them), gRPC and HTTP to the gateway.
/// </summary>
internal sealed class TopologyCallers(DistributedApplication app, string dataDirectory)
{
    public AccessTokenSettings Settings { get; } = DevelopmentTokens.DevelopmentSettings(dataDirectory);

    public string Token(Guid tenant, string role, Guid? person = null, string? subject = null) =>
        new AccessTokenIssuer(Settings).Issue(
            new AccessTokenClaims(tenant, subject ?? $"{role}:{Guid.NewGuid():N}", [role], person), TimeSpan.FromMinutes(10));

    /// <summary>
    /// A new active person of <paramref name="tenant"/>, made with identity-mapping's CreatePerson over
    /// <paramref name="channel"/> (the gateway's, or identity-mapping's own port) as the tenant's admin: the ledger records
    /// punches of registered, active persons only (STAFFING_PERSON_UNKNOWN otherwise).
    /// </summary>
    public async Task<Guid> NewPersonAsync(GrpcChannel channel, Guid tenant)
    {
        var person = await new IdentityMapping.IdentityMappingClient(channel).CreatePersonAsync(
            new() { EmployeeNumber = "T-" + Guid.NewGuid().ToString("N"), DisplayName = "Test person" },
            Bearer(Token(tenant, AccessRoles.TenantAdmin)));
        return Guid.Parse(person.PersonUuid);
    }

    /// <summary>
    /// Puts <paramref name="tenant"/> in identity's tenant directory (<c>identity.tenants</c>), as onboarding would (it has
    /// no API yet): identity issues service tokens for tenants of the directory only, so a connector can act for it.
    /// </summary>
    public async Task RegisterTenantAsync(Guid tenant)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("attendance"));
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO identity.tenants (tenant_id, code, display_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", connection)
        {
            Parameters = { new() { Value = tenant }, new() { Value = "t-" + tenant.ToString("N") }, new() { Value = "Test tenant" } },
        };
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>A channel to the gateway's HTTP/2-only gRPC port. The caller disposes it.</summary>
    public GrpcChannel Channel() => app.CreateGrpcChannel("gateway");

    /// <summary>
    /// Call options with the token and a deadline of two minutes <em>from now</em>, so that a hung call fails the test
    /// instead of hanging it. The deadline is fixed when the options are made: a loop that polls for longer makes them
    /// at each turn (options made once and polled with for minutes fail every call with DEADLINE_EXCEEDED).
    /// </summary>
    public static CallOptions Bearer(string? token, params (string Name, string Value)[] extra)
    {
        var headers = new Metadata();
        if (token is not null) headers.Add("authorization", $"Bearer {token}");
        foreach (var (name, value) in extra) headers.Add(name, value);
        return new CallOptions(headers, DateTime.UtcNow.AddMinutes(2));
    }

    public HttpClient Http() => app.CreateHttpClient("gateway", "http");

    public static HttpRequestMessage Get(string pathAndQuery, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
