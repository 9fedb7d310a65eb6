extern alias AppHostProject;

using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using AppHostEntryPoint = AppHostProject::Program;
using DevelopmentTokens = AppHostProject::HrmsAttendance.AppHost.Extensions.DevelopmentTokens;

namespace HrmsAttendance.Benchmarks;

/// <summary>
/// The connector benchmarks' topology (bench/DingTalk.Benchmarks, bench/WeCom.Benchmarks; this file is linked into both):
/// the AppHost booted on a fresh data directory without the dashboard, the connector configured by the benchmark (its
/// platform's fake, its intervals), one tenant (in identity's directory, so the connector gets tokens for it) with an admin token, gRPC channels straight to identity-mapping,
/// punch-ledger and the connector, and a roster of persons linked to platform user ids.
/// </summary>
internal sealed class ConnectorBenchTopology : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly DistributedApplication _app;
    private readonly Metadata _auth;

    private ConnectorBenchTopology(string dataDirectory, DistributedApplication app, string connector, Guid tenant)
    {
        _dataDirectory = dataDirectory;
        _app = app;
        Tenant = tenant;
        var issuer = new AccessTokenIssuer(DevelopmentTokens.DevelopmentSettings(dataDirectory));
        _auth = new Metadata { { "authorization", "Bearer " + issuer.Issue(new AccessTokenClaims(Tenant, "connector-bench", [AccessRoles.TenantAdmin]), TimeSpan.FromHours(2)) } };
        Identity = GrpcChannel.ForAddress(app.GetEndpoint("identity-mapping", "grpc"));
        Ledger = GrpcChannel.ForAddress(app.GetEndpoint("punch-ledger", "grpc"));
        Connector = GrpcChannel.ForAddress(app.GetEndpoint(connector, "grpc"));
    }

    public Guid Tenant { get; }
    public GrpcChannel Identity { get; }
    public GrpcChannel Ledger { get; }
    public GrpcChannel Connector { get; }

    /// <summary>Call options of the tenant's admin, with a minute's deadline.</summary>
    public CallOptions Call() => new(_auth, DateTime.UtcNow.AddSeconds(60));

    /// <summary>Boots the topology; <paramref name="environment"/> goes to the connector.</summary>
    public static async Task<ConnectorBenchTopology> StartAsync(string connector, params (string Name, string Value)[] environment)
    {
        var dataDirectory = Directory.CreateTempSubdirectory($"hrms-{connector}-bench-").FullName;
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        var boot = Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHostEntryPoint>(
            [$"--AppHost:DataDirectory={dataDirectory}", "--AppHost:Fresh=true"], (options, _) => options.DisableDashboard = true);
        builder.Services.AddLogging(logging => logging.AddFilter("AppHost.Resources", LogLevel.None).AddFilter("Aspire", LogLevel.Error)
            .AddFilter("Microsoft", LogLevel.Critical).AddFilter("Polly", LogLevel.Error));
        var resource = builder.CreateResourceBuilder<ProjectResource>(connector);
        foreach (var (name, value) in environment) resource.WithEnvironment(name, value);
        var app = await builder.BuildAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
        {
            await app.StartAsync(timeout.Token);
            foreach (var healthy in new[] { "identity", "punch-ledger", "identity-mapping", connector })
                await app.ResourceNotifications.WaitForResourceHealthyAsync(healthy, timeout.Token);
        }
        Console.WriteLine($"topology healthy in {boot.Elapsed.TotalSeconds:F1} s");
        var tenant = Guid.NewGuid();
        await RegisterTenantAsync(app, tenant);
        return new ConnectorBenchTopology(dataDirectory, app, connector, tenant);
    }

    /// <summary>
    /// The tenant in identity's directory (<c>identity.tenants</c>; onboarding has no API yet): the connector's tokens
    /// come from identity, which issues them only for a tenant it knows.
    /// </summary>
    private static async Task RegisterTenantAsync(DistributedApplication app, Guid tenant)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("attendance"));
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("INSERT INTO identity.tenants (tenant_id, code, display_name) VALUES ($1, $2, $3)", connection)
        {
            Parameters = { new() { Value = tenant }, new() { Value = "bench-" + tenant.ToString("N") }, new() { Value = "Connector bench" } },
        };
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// <paramref name="persons"/> persons (employee numbers <c>{employeePrefix}000000</c>…), each linked to the platform
    /// user id <see cref="UserId"/>(<paramref name="userPrefix"/>, i); their uuids by index.
    /// </summary>
    public async Task<Guid[]> LinkedPersonsAsync(int persons, IdentityProvider provider, string employeePrefix, string userPrefix)
    {
        var setUp = Stopwatch.StartNew();
        var identity = new IdentityMapping.IdentityMappingClient(Identity);
        var ids = new Guid[persons];
        await Parallel.ForAsync(0, persons, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var person = await identity.CreatePersonAsync(new CreatePersonRequest { EmployeeNumber = $"{employeePrefix}{i:D6}", DisplayName = $"{provider} {i}" }, Call());
            ids[i] = Guid.Parse(person.PersonUuid);
            await identity.LinkIdentityAsync(new LinkIdentityRequest { Provider = provider, ExternalUserId = UserId(userPrefix, i), PersonUuid = person.PersonUuid }, Call());
        });
        Console.WriteLine($"{persons} persons registered and linked in {setUp.Elapsed.TotalSeconds:F1} s");
        return ids;
    }

    public static string UserId(string prefix, int i) => $"{prefix}{i:D6}";

    /// <summary>The load average of the last minute (/proc/loadavg), printed with the figures.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    public async ValueTask DisposeAsync()
    {
        Identity.Dispose();
        Ledger.Dispose();
        Connector.Dispose();
        await _app.DisposeAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
    }
}
