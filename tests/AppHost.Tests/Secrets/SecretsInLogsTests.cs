using System.Net;
using System.Security.Cryptography;
using Grpc.Core;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.AppHost.Tests.Distributed;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace HrmsAttendance.AppHost.Tests.Secrets;

/// <summary>
/// No secret reaches a log: after calls with good, refused, expired and forged tokens (through the gateway and straight
/// to the services, one in a query string) and a refused database login, every line each resource wrote to its console
/// and every structured log and span the services exported to the dashboard is scanned for the tokens sent, every
/// secret parameter the AppHost generated (the servers' and logins' passwords, the token signing key) and the shapes of
/// a secret (<see cref="SecretScanner"/>). The collection's other tests ran on the same topology, so their lines are scanned too.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class SecretsInLogsTests(DistributedAppFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task No_token_password_or_signing_key_appears_in_any_resource_log()
    {
        var app = fixture.App;
        await app.WaitHealthyAsync("gateway", TimeSpan.FromSeconds(90));
        var callers = new TopologyCallers(app, fixture.DataDirectory);
        var tenant = Guid.NewGuid();
        var adminToken = callers.Token(tenant, AccessRoles.TenantAdmin, subject: "secrets-admin");
        var integrationToken = callers.Token(tenant, AccessRoles.Integration, subject: "secrets-integration");
        var expiredToken = new AccessTokenIssuer(callers.Settings, new FixedTime(DateTimeOffset.UtcNow.AddHours(-2)))
            .Issue(new AccessTokenClaims(tenant, "secrets-expired", [AccessRoles.TenantAdmin]), TimeSpan.FromMinutes(10));
        var forgedToken = new AccessTokenIssuer(new AccessTokenSettings
            {
                Issuer = callers.Settings.Issuer,
                Audience = callers.Settings.Audience,
                SigningKey = RandomNumberGenerator.GetBytes(AccessTokenSettings.MinimumKeyBytes),
            })
            .Issue(new AccessTokenClaims(tenant, "secrets-forged", [AccessRoles.TenantAdmin]), TimeSpan.FromMinutes(10));

        // Accepted calls through the gateway (the token is forwarded to each service, which validates it again).
        using (var channel = callers.Channel())
        {
            var person = await new IdentityMappingClient(channel).CreatePersonAsync(
                new CreatePersonRequest { EmployeeNumber = "SECRETS-1", DisplayName = "Secrets" }, TopologyCallers.Bearer(adminToken));
            var ledger = new PunchLedgerClient(channel);
            await ledger.SubmitPunchAsync(Punches.In(Guid.Parse(person.PersonUuid), new DateTimeOffset(2026, 3, 2, 9, 0, 0, Punches.Shanghai)),
                TopologyCallers.Bearer(integrationToken));
            // Refused at the gateway: expired, forged.
            foreach (var refused in new[] { expiredToken, forgedToken })
            {
                var status = await Assert.ThrowsAsync<RpcException>(async () =>
                    await ledger.SubmitPunchAsync(Punches.In(Guid.Parse(person.PersonUuid), DateTimeOffset.UtcNow), TopologyCallers.Bearer(refused)));
                Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
            }
        }
        using (var http = callers.Http())
        {
            using var accepted = await http.SendAsync(TopologyCallers.Get(
                $"/api/daily-results?person_uuid={Guid.NewGuid()}&from_date=2026-03-02&to_date=2026-03-02", adminToken));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            // A token where no token belongs: in the query string (refused as an unknown parameter).
            using var inQuery = await http.SendAsync(TopologyCallers.Get(
                $"/api/daily-results?person_uuid={Guid.NewGuid()}&access_token={adminToken}", adminToken));
            Assert.Equal(HttpStatusCode.BadRequest, inQuery.StatusCode);
        }
        // Refused by a service itself (its port reached without the gateway): it logs each refusal as a warning.
        using (var direct = app.CreateGrpcChannel("punch-ledger"))
        {
            var status = await Assert.ThrowsAsync<RpcException>(async () =>
                await new PunchLedgerClient(direct).SubmitPunchAsync(Punches.In(Guid.NewGuid(), DateTimeOffset.UtcNow), TopologyCallers.Bearer(forgedToken)));
            Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        }
        // A refused database login: punch-ledger's login with a wrong password (Postgres logs the failure).
        var ledgerLogin = new NpgsqlConnectionStringBuilder(DatabaseConnectionStringOf("punch-ledger")) { Password = "wrong-password-0" };
        await using (var refusedLogin = new NpgsqlConnection(ledgerLogin.ConnectionString))
            Assert.Equal("28P01", (await Assert.ThrowsAsync<PostgresException>(() => refusedLogin.OpenAsync())).SqlState);

        var secrets = await GeneratedSecretsAsync();
        foreach (var (name, token) in new[] { ("admin token", adminToken), ("integration token", integrationToken), ("expired token", expiredToken), ("forged token", forgedToken) })
            secrets[name] = token;
        var scanner = new SecretScanner(secrets);

        // The refusals must have reached the logs before the scan means anything: wait for punch-ledger's.
        var lines = await LogLinesAsync(lines => lines.Any(l => l.Source == "punch-ledger" && l.Line.Contains("STAFFING_TOKEN_INVALID", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Source == "postgres" && l.Line.Contains("password authentication failed", StringComparison.Ordinal));
        output.WriteLine($"scanned {lines.Count} lines from {lines.Select(l => l.Source).Distinct().Count()} sources for {secrets.Count} known secrets: {string.Join(", ", secrets.Keys.Order())}");

        var findings = scanner.Scan(lines);
        Assert.True(findings.Count == 0, $"{findings.Count} log lines hold a secret:\n{string.Join('\n', findings.Take(20))}");
    }

    /// <summary>
    /// Every secret the AppHost generated, by where it was found: the app model's secret parameters, the password in each
    /// resource's connection string, and what the AppHost handed each project (its connection strings' passwords, the
    /// token signing key), read from the environment DCP started it with.
    /// </summary>
    private async Task<Dictionary<string, string>> GeneratedSecretsAsync()
    {
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var secrets = new Dictionary<string, string>();
        foreach (var parameter in model.Resources.OfType<ParameterResource>().Where(p => p.Secret))
            if (await parameter.GetValueAsync(CancellationToken.None) is { Length: > 0 } value)
                secrets[$"parameter {parameter.Name}"] = value;
        Assert.Contains($"parameter {DevelopmentTokens.SigningKeyParameter}", secrets.Keys);
        foreach (var resource in model.Resources.OfType<IResourceWithConnectionString>())
            if (PasswordIn(await resource.GetConnectionStringAsync()) is { } password)
                secrets[$"password of {resource.Name}"] = password;
        foreach (var project in model.Resources.OfType<ProjectResource>())
        {
            if (!fixture.App.ResourceNotifications.TryGetCurrentState(project.Name, out var state)) continue;
            foreach (var variable in state.Snapshot.EnvironmentVariables)
            {
                if (variable.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && PasswordIn(variable.Value) is { } password)
                    secrets[$"{variable.Name} password of {project.Name}"] = password;
                else if (variable.Name == "Authentication__Jwt__SigningKey" && variable.Value is { Length: > 0 } key)
                    secrets[$"signing key of {project.Name}"] = key;
            }
        }
        // At least the servers' passwords and each service's database login.
        foreach (var expected in new[] { "password of redis", "ConnectionStrings__attendance password of punch-ledger",
                     "ConnectionStrings__attendance password of daily-results", "ConnectionStrings__attendance password of identity-mapping",
                     "ConnectionStrings__messaging password of punch-ledger", "ConnectionStrings__messaging password of daily-results",
                     "ConnectionStrings__messaging password of identity-mapping" })
            Assert.Contains(expected, secrets.Keys);
        return secrets;
    }

    /// <summary>The password of a connection string: <c>Password=</c>/<c>password=</c> (Npgsql, StackExchange.Redis) or a URI's user info.</summary>
    private static string? PasswordIn(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString)) return null;
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) && uri.UserInfo.Split(':', 2) is [_, { Length: > 0 } secret])
            return Uri.UnescapeDataString(secret);
        return connectionString.Split([';', ','])
            .Select(part => part.Split('=', 2))
            .FirstOrDefault(pair => pair.Length == 2 && pair[0].Trim().Equals("password", StringComparison.OrdinalIgnoreCase))?[1];
    }

    /// <summary>What the AppHost handed <paramref name="project"/> as <c>ConnectionStrings__attendance</c>.</summary>
    private string DatabaseConnectionStringOf(string project) =>
        fixture.App.ResourceNotifications.TryGetCurrentState(project, out var state)
        && state.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ConnectionStrings__attendance") is { Value: { Length: > 0 } value }
            ? value
            : throw new InvalidOperationException($"{project} has no ConnectionStrings__attendance");

    /// <summary>
    /// Every resource's console log (all of it, from DCP) and the dashboard's structured logs and spans (the OTLP JSON,
    /// line by line), polled until <paramref name="complete"/> holds (console lines arrive asynchronously).
    /// </summary>
    private async Task<List<(string Source, string Line)>> LogLinesAsync(Func<List<(string Source, string Line)>, bool> complete)
    {
        var loggers = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var lines = new List<(string Source, string Line)>();
            foreach (var resource in model.Resources)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await foreach (var batch in loggers.GetAllAsync(resource).WithCancellation(timeout.Token))
                    lines.AddRange(batch.Select(line => (resource.Name, line.Content)));
            }
            lines.AddRange(await DashboardTelemetryAsync("api/telemetry/logs"));
            lines.AddRange(await DashboardTelemetryAsync("api/telemetry/traces"));
            if (complete(lines) || DateTime.UtcNow > deadline) return lines;
            await Task.Delay(500);
        }
    }

    private async Task<IEnumerable<(string Source, string Line)>> DashboardTelemetryAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = fixture.DashboardUrl };
        http.DefaultRequestHeaders.Add("x-api-key", fixture.DashboardApiKey);
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"the dashboard's {path} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        // Each string of the OTLP JSON (a log's body, an attribute's value, a span's name) is one line to scan.
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return StringsOf(json.RootElement).Select(line => ($"dashboard {path}", line)).ToList();
    }

    private static IEnumerable<string> StringsOf(System.Text.Json.JsonElement element) => element.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => [element.GetString() ?? ""],
        System.Text.Json.JsonValueKind.Array => element.EnumerateArray().SelectMany(StringsOf),
        System.Text.Json.JsonValueKind.Object => element.EnumerateObject().SelectMany(p => StringsOf(p.Value)),
        _ => [],
    };

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
