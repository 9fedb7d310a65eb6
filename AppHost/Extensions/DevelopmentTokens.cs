using System.Globalization;
using System.Reflection;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Extensions;

/// <summary>
/// Access tokens in a local run: the AppHost generates one HMAC signing key per data directory
/// (<c>&lt;data-dir&gt;/secrets/token-signing-key</c>, mode 600; <c>--fresh</c> makes a new one), hands it as one secret
/// parameter to the gateway and to every service (each validates the tokens itself), and
/// <c>dotnet run --project AppHost -- token …</c> signs tokens with the same key.
/// </summary>
public static class DevelopmentTokens
{
    public const string SigningKeyParameter = "token-signing-key";

    public static string SigningKeyPath(string dataDirectory) => Path.Combine(dataDirectory, "secrets", "token-signing-key");

    /// <summary>
    /// The signing key as a secret parameter. Only a local run makes one (read or created when the first resource that
    /// needs it starts); a published topology has no default: its key comes from the deployment's secret store.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddTokenSigningKey(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode)
            return builder.AddParameter(SigningKeyParameter, secret: true);
        var keyPath = SigningKeyPath(builder.DataDirectory());
        if (bool.TryParse(builder.Configuration[AppHostOptions.FreshKey], out var fresh) && fresh && File.Exists(keyPath))
            File.Delete(keyPath);
        return builder.AddParameter(SigningKeyParameter,
            () => Convert.ToBase64String(DevelopmentSigningKey.LoadOrCreate(keyPath)), secret: true);
    }

    /// <summary>The project's <c>Authentication__Jwt__*</c> settings (<see cref="AccessTokenSettings.ConfigurationSection"/>): this topology's tokens.</summary>
    public static IResourceBuilder<ProjectResource> WithAccessTokens(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<ParameterResource> signingKey)
    {
        var prefix = AccessTokenSettings.ConfigurationSection.Replace(":", "__", StringComparison.Ordinal) + "__";
        return project.WithEnvironment(prefix + "Issuer", AccessTokenSettings.DevelopmentIssuer)
                      .WithEnvironment(prefix + "Audience", AccessTokenSettings.DefaultAudience)
                      .WithEnvironment(prefix + "SigningKey", signingKey);
    }

    public static AccessTokenSettings DevelopmentSettings(string dataDirectory) => new()
    {
        Issuer = AccessTokenSettings.DevelopmentIssuer,
        Audience = AccessTokenSettings.DefaultAudience,
        SigningKey = DevelopmentSigningKey.LoadOrCreate(SigningKeyPath(dataDirectory)),
    };

    /// <summary>The AppHost project's folder, as the Aspire SDK records it in the assembly.</summary>
    public static string AppHostDirectory() =>
        typeof(DevelopmentTokens).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "apphostprojectpath")?.Value
        ?? AppContext.BaseDirectory;
}

/// <summary>
/// <c>dotnet run --project AppHost -- token --tenant &lt;uuid&gt; --role tenant-admin [--role …] [--person &lt;uuid&gt;]
/// [--subject &lt;id&gt;] [--hours &lt;n&gt;] [--data-dir &lt;dir&gt;]</c>: prints a bearer token for the topology (the gateway
/// and every service) of the AppHost that uses the same data directory (only the token on stdout, so <c>TOKEN=$(…)</c> works).
/// </summary>
public static class TokenCommand
{
    public const string Name = "token";

    private const string Usage = """
        Usage: dotnet run --project AppHost -- token --tenant <uuid> --role <role> [--role <role>…] [--person <uuid>]
                                                     [--subject <id>] [--hours <n>] [--data-dir <dir>]
          roles: employee (needs --person), approver, tenant-admin, integration
          prints a bearer token for the gateway (and each service) the AppHost runs with the same --data-dir (default .apphost/);
          a later `--fresh` run makes a new signing key, and older tokens stop working.
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        try
        {
            var (claims, lifetime, dataDirectory) = Parse(args);
            var settings = DevelopmentTokens.DevelopmentSettings(dataDirectory);
            output.WriteLine(new AccessTokenIssuer(settings).Issue(claims, lifetime));
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"token for tenant {claims.TenantId}, subject '{claims.Subject}', roles {string.Join(",", claims.Roles)}{(claims.PersonId is { } p ? $", person {p}" : "")}; valid {lifetime.TotalHours:0.#} h. Send it as 'authorization: Bearer <token>'."));
            return 0;
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }
    }

    private static (AccessTokenClaims Claims, TimeSpan Lifetime, string DataDirectory) Parse(IReadOnlyList<string> args)
    {
        Guid? tenant = null, person = null;
        string? subject = null;
        var roles = new List<string>();
        var hours = 8.0;
        var dataDirectory = AppHostOptions.DefaultDataDirectory(DevelopmentTokens.AppHostDirectory());
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new ArgumentException($"{option} needs a value.{Environment.NewLine}{Usage}");
            switch (option)
            {
                case "--tenant": tenant = ParseUuid(option, Value()); break;
                case "--person": person = ParseUuid(option, Value()); break;
                case "--role":
                    foreach (var role in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!AccessRoles.IsKnown(role))
                            throw new ArgumentException($"Unknown role '{role}'; roles: {string.Join(", ", AccessRoles.All)}.");
                        roles.Add(role);
                    }
                    break;
                case "--subject": subject = Value(); break;
                case "--hours":
                    var text = Value();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out hours) || hours <= 0 || hours > 24 * 30)
                        throw new ArgumentException($"--hours needs a number of hours between 0 and 720, not '{text}'.");
                    break;
                case "--data-dir": dataDirectory = Path.GetFullPath(Value()); break;
                case "--help" or "-h": throw new ArgumentException(Usage);
                default: throw new ArgumentException($"Unknown option '{option}'.{Environment.NewLine}{Usage}");
            }
        }
        if (tenant is null) throw new ArgumentException($"--tenant is required.{Environment.NewLine}{Usage}");
        if (roles.Count == 0) throw new ArgumentException($"At least one --role is required.{Environment.NewLine}{Usage}");
        if (roles.Contains(AccessRoles.Employee) && person is null)
            throw new ArgumentException("The employee role needs --person <uuid>: employees read and punch only for themselves.");
        subject ??= person is { } p ? $"person:{p}" : $"dev:{string.Join('+', roles)}";
        return (new AccessTokenClaims(tenant.Value, subject, roles.Distinct().ToList(), person), TimeSpan.FromHours(hours), dataDirectory);
    }

    private static Guid ParseUuid(string option, string value) =>
        Guid.TryParseExact(value, "D", out var uuid) && uuid != Guid.Empty
            ? uuid
            : throw new ArgumentException($"{option} needs a canonical UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), not '{value}'.");
}
