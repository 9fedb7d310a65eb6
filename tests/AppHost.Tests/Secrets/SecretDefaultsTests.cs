using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Hosting.LocalServers;
using Xunit.Abstractions;

namespace HrmsAttendance.AppHost.Tests.Secrets;

/// <summary>
/// No secret has a default outside Development: each service, the gateway, the web app and the migrations, started as a real process
/// (the built assembly, as a deployment runs it) in the Production environment with every setting but one secret, stops
/// at start-up with a message naming the missing setting, instead of starting with a default key, failing at its first
/// query, or logging in without a password.
/// </summary>
public sealed class SecretDefaultsTests(ITestOutputHelper output)
{
    private const string SigningKey = "Authentication__Jwt__SigningKey";

    /// <summary>Assembly, folder, and the secrets it needs (environment variable → a valid value).</summary>
    private static readonly Dictionary<string, (string Folder, Dictionary<string, string> Secrets)> Processes = new()
    {
        ["PunchLedger"] = ("services/PunchLedger", WithToken(new(Postgres("attendance")) { ["ConnectionStrings__messaging"] = "amqp://hrms:rabbit-password-1@127.0.0.1:1" })),
        ["IdentityMapping"] = ("services/IdentityMapping", WithToken(new(Postgres("attendance")) { ["ConnectionStrings__messaging"] = "amqp://hrms:rabbit-password-1@127.0.0.1:1" })),
        ["DailyResults"] = ("services/DailyResults", WithToken(new(Postgres("attendance")) { ["ConnectionStrings__messaging"] = "amqp://hrms:rabbit-password-1@127.0.0.1:1" })),
        ["DingTalkConnector"] = ("services/DingTalkConnector", WithToken(new(Postgres("attendance"))
        {
            ["ConnectionStrings__messaging"] = "amqp://hrms:rabbit-password-1@127.0.0.1:1",
            ["ConnectionStrings__redis"] = "127.0.0.1:1,password=redis-password-1",
            ["DingTalk__SettingsKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Authentication__Oidc__Authority"] = "http://127.0.0.1:1",
            ["Connectors__ServiceClient__Secret"] = "service-client-secret-1",
        })),
        ["WeComConnector"] = ("services/WeComConnector", WithToken(new(Postgres("attendance"))
        {
            ["ConnectionStrings__messaging"] = "amqp://hrms:rabbit-password-1@127.0.0.1:1",
            ["ConnectionStrings__redis"] = "127.0.0.1:1,password=redis-password-1",
            ["WeCom__SettingsKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Authentication__Oidc__Authority"] = "http://127.0.0.1:1",
            ["Connectors__ServiceClient__Secret"] = "service-client-secret-1",
        })),
        ["Gateway"] = ("gateway", WithToken(new() { ["ConnectionStrings__redis"] = "127.0.0.1:1,password=redis-password-1" })),
        ["Web"] = ("web", new()
        {
            ["Authentication__Oidc__Authority"] = "http://127.0.0.1:1",
            ["Authentication__Oidc__ClientSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }),
        ["Identity"] = ("services/Identity", WithToken(new(Postgres("attendance"))
        {
            ["Identity__Issuer"] = "https://sign-in.example.com/",
            ["Identity__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RSA.Create(2048).ExportPkcs8PrivateKey()),
            ["Identity__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Identity__WebClient__Secret"] = "web-client-secret-1",
            ["Identity__WebClient__RedirectUris"] = "https://attendance.example.com/signin-oidc",
            ["Identity__WebClient__PostLogoutRedirectUris"] = "https://attendance.example.com/signout-callback-oidc",
            ["Identity__ServiceClients__0__ClientId"] = "dingtalk-connector",
            ["Identity__ServiceClients__0__Secret"] = "service-client-secret-1",
        })),
        ["Migrations"] = ("services/Migrations", Postgres("attendance", "attendance-owner", "punch-ledger-login", "identity-mapping-login", "daily-results-login", "dingtalk-connector-login", "wecom-connector-login", "identity-login")),
    };

    public static TheoryData<string, string, string?, string> Cases()
    {
        var cases = new TheoryData<string, string, string?, string>();
        foreach (var service in new[] { "PunchLedger", "IdentityMapping", "DailyResults", "DingTalkConnector", "Gateway" })
            cases.Add(service, SigningKey, null, "Configuration 'Authentication:Jwt:SigningKey' is missing");
        foreach (var service in new[] { "PunchLedger", "IdentityMapping", "DailyResults", "DingTalkConnector" })
        {
            cases.Add(service, "ConnectionStrings__attendance", null, "Configuration ConnectionStrings:attendance (environment variable ConnectionStrings__attendance) is missing");
            cases.Add(service, "ConnectionStrings__attendance", "Host=127.0.0.1;Port=1;Database=attendance;Username=app",
                "Configuration ConnectionStrings:attendance (environment variable ConnectionStrings__attendance) has no password");
        }
        foreach (var service in new[] { "PunchLedger", "IdentityMapping", "DailyResults" })
        {
            cases.Add(service, "ConnectionStrings__messaging", null, "Configuration ConnectionStrings:messaging (environment variable ConnectionStrings__messaging) is missing");
            cases.Add(service, "ConnectionStrings__messaging", "amqp://hrms@127.0.0.1:1",
                "Configuration ConnectionStrings:messaging (environment variable ConnectionStrings__messaging) has no password");
        }
        cases.Add("PunchLedger", "ConnectionStrings__messaging", "127.0.0.1:5672",
            "Configuration ConnectionStrings:messaging (environment variable ConnectionStrings__messaging) is not a valid connection string");
        cases.Add("DingTalkConnector", "ConnectionStrings__messaging", null, "Configuration ConnectionStrings:messaging (environment variable ConnectionStrings__messaging) is missing");
        cases.Add("DingTalkConnector", "ConnectionStrings__redis", "127.0.0.1:1,abortConnect=false", "Configuration ConnectionStrings:redis (environment variable ConnectionStrings__redis) has no password");
        cases.Add("DingTalkConnector", "DingTalk__SettingsKey", null, "Configuration DingTalk:SettingsKey (environment variable DingTalk__SettingsKey) is missing");
        foreach (var connector in new[] { "DingTalkConnector", "WeComConnector" })
        {
            cases.Add(connector, "Connectors__ServiceClient__Secret", null,
                "Configuration Connectors:ServiceClient:Secret (environment variable Connectors__ServiceClient__Secret) is missing");
            cases.Add(connector, "Authentication__Oidc__Authority", null,
                "Configuration Authentication:Oidc:Authority (environment variable Authentication__Oidc__Authority) is missing");
        }
        cases.Add("WeComConnector", SigningKey, null, "Configuration 'Authentication:Jwt:SigningKey' is missing");
        cases.Add("WeComConnector", "ConnectionStrings__attendance", "Host=127.0.0.1;Port=1;Database=attendance;Username=app",
            "Configuration ConnectionStrings:attendance (environment variable ConnectionStrings__attendance) has no password");
        cases.Add("WeComConnector", "ConnectionStrings__redis", "127.0.0.1:1,abortConnect=false", "Configuration ConnectionStrings:redis (environment variable ConnectionStrings__redis) has no password");
        cases.Add("WeComConnector", "WeCom__SettingsKey", null, "Configuration WeCom:SettingsKey (environment variable WeCom__SettingsKey) is missing");
        cases.Add("Migrations", "ConnectionStrings__wecom-connector-login", "Host=127.0.0.1;Port=1;Database=attendance;Username=wecom_connector_app",
            "Configuration ConnectionStrings:wecom-connector-login (environment variable ConnectionStrings__wecom-connector-login) has no password");
        cases.Add("Migrations", "ConnectionStrings__dingtalk-connector-login", "Host=127.0.0.1;Port=1;Database=attendance;Username=dingtalk_connector_app",
            "Configuration ConnectionStrings:dingtalk-connector-login (environment variable ConnectionStrings__dingtalk-connector-login) has no password");
        cases.Add("Identity", SigningKey, null, "Configuration 'Authentication:Jwt:SigningKey' is missing");
        cases.Add("Identity", "Identity__SigningKey", null, "Configuration 'Identity:SigningKey' is missing");
        cases.Add("Identity", "Identity__EncryptionKey", null, "Configuration 'Identity:EncryptionKey' is missing");
        cases.Add("Identity", "Identity__WebClient__Secret", null, "Configuration 'Identity:WebClient:Secret' is missing");
        cases.Add("Identity", "Identity__ServiceClients__0__Secret", null, "Configuration 'Identity:ServiceClients:0' needs ClientId and Secret");
        cases.Add("Identity", "Identity__Issuer", "http://sign-in.example.com/", "Identity:Issuer must be https unless it is a loopback address");
        cases.Add("Identity", "ConnectionStrings__attendance", "Host=127.0.0.1;Port=1;Database=attendance;Username=identity_app",
            "Configuration ConnectionStrings:attendance (environment variable ConnectionStrings__attendance) has no password");
        cases.Add("Migrations", "ConnectionStrings__identity-login", "Host=127.0.0.1;Port=1;Database=attendance;Username=identity_app",
            "Configuration ConnectionStrings:identity-login (environment variable ConnectionStrings__identity-login) has no password");
        cases.Add("Gateway", "ConnectionStrings__redis", null, "Configuration ConnectionStrings:redis (environment variable ConnectionStrings__redis) is missing");
        cases.Add("Gateway", "ConnectionStrings__redis", "127.0.0.1:1,abortConnect=false", "Configuration ConnectionStrings:redis (environment variable ConnectionStrings__redis) has no password");
        cases.Add("Migrations", "ConnectionStrings__attendance", null, "Configuration ConnectionStrings:attendance (environment variable ConnectionStrings__attendance) is missing");
        cases.Add("Migrations", "ConnectionStrings__punch-ledger-login", "Host=127.0.0.1;Port=1;Database=attendance;Username=punch_ledger_app",
            "Configuration ConnectionStrings:punch-ledger-login (environment variable ConnectionStrings__punch-ledger-login) has no password");
        cases.Add("Web", "Authentication__Oidc__ClientSecret", null, "Configuration Authentication:Oidc:ClientSecret (Authentication__Oidc__ClientSecret) is missing");
        cases.Add("Web", "Authentication__Oidc__Authority", null, "Configuration Authentication:Oidc:Authority (Authentication__Oidc__Authority) must be the identity service's URL");
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Outside_Development_a_process_without_a_secret_stops_naming_it(string assembly, string setting, string? value, string message)
    {
        var (folder, secrets) = Processes[assembly];
        var environment = new Dictionary<string, string>(secrets);
        if (value is null) environment.Remove(setting);
        else environment[setting] = value;

        var (exitCode, text) = await RunAsync(assembly, folder, environment);

        output.WriteLine(text);
        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", text, StringComparison.Ordinal);
    }

    /// <summary>Runs the built assembly in Production with exactly <paramref name="settings"/> (and free ports), up to 60 s.</summary>
    private static async Task<(int? ExitCode, string Output)> RunAsync(string assembly, string folder, Dictionary<string, string> settings)
    {
        var configuration = typeof(SecretDefaultsTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var root = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(DevelopmentTokens.AppHostDirectory()))!;
        var dll = Path.Combine(root, folder, "bin", configuration, "net10.0", assembly + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is not built (building the AppHost builds it)");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        // Nothing inherited may configure it (a test run's environment could hold connection strings or an environment name).
        foreach (var name in start.Environment.Keys.ToList())
            if (name.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Authentication__", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("services__", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(name);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Authentication__Jwt__Issuer"] = "hrms-attendance-production";
        start.Environment["Authentication__Jwt__Audience"] = "hrms-attendance";
        // Should it start after all, it must not take the ports a running AppHost uses.
        start.Environment["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        start.Environment["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        foreach (var (name, value) in settings) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (null, $"{assembly} was still running after 60 s: it started without the secret.\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout + "\n" + await stderr);
    }

    private static Dictionary<string, string> Postgres(params string[] names) => names.ToDictionary(
        name => $"ConnectionStrings__{name}",
        name => $"Host=127.0.0.1;Port=1;Database=attendance;Username={name.Replace('-', '_')};Password=password-of-{name}");

    private static Dictionary<string, string> WithToken(Dictionary<string, string> settings) =>
        new(settings) { [SigningKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
}
