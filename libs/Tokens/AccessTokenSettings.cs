using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.Tokens;

/// <summary>
/// Who issues tokens, for whom, and the HMAC-SHA256 key that signs them. The same settings on the issuer (the
/// AppHost's <c>token</c> command, tests) and on every validator (the gateway and each service).
/// </summary>
public sealed class AccessTokenSettings
{
    /// <summary>
    /// Where every process of the system reads them: <c>Authentication:Jwt</c>, i.e. the environment variables
    /// <c>Authentication__Jwt__Issuer</c>, <c>__Audience</c> and <c>__SigningKey</c> (base64).
    /// </summary>
    public const string ConfigurationSection = "Authentication:Jwt";

    /// <summary>The issuer the AppHost uses in Development.</summary>
    public const string DevelopmentIssuer = "hrms-attendance-apphost";
    /// <summary>The audience every token of this system is for.</summary>
    public const string DefaultAudience = "hrms-attendance";
    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumKeyBytes = 32;

    public required string Issuer
    {
        get;
        init => field = !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("The token issuer must not be empty.", nameof(Issuer));
    }

    public required string Audience
    {
        get;
        init => field = !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("The token audience must not be empty.", nameof(Audience));
    }

    /// <summary>The HMAC-SHA256 key, at least <see cref="MinimumKeyBytes"/> bytes.</summary>
    public required byte[] SigningKey
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(SigningKey));
            if (KeyProblem(value) is { } problem) throw new ArgumentException(problem, nameof(SigningKey));
            field = value.ToArray();
        }
    }

    /// <summary>How far apart the issuer's and the validator's clocks may be (default 30 s).</summary>
    public TimeSpan ClockSkew
    {
        get;
        init => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(ClockSkew), "The clock skew must not be negative.");
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads <c>Issuer</c>, <c>Audience</c> and <c>SigningKey</c> (base64) from <paramref name="section"/>
    /// (<see cref="ConfigurationSection"/>, i.e. <c>Authentication__Jwt__SigningKey</c>). Nothing has a default:
    /// a missing or empty key throws <see cref="InvalidOperationException"/> naming it.
    /// </summary>
    public static AccessTokenSettings FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var prefix = section is IConfigurationSection { Path: { Length: > 0 } path } ? path + ":" : "";

        string Required(string key) => section[key] is { } value && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : throw new InvalidOperationException(
                $"Configuration '{prefix}{key}' is missing (environment variable {(prefix + key).Replace(":", "__", StringComparison.Ordinal)}); access tokens have no default settings.");

        var issuer = Required("Issuer");
        var audience = Required("Audience");
        var encodedKey = Required("SigningKey");
        byte[] key;
        try { key = Convert.FromBase64String(encodedKey); }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Configuration '{prefix}SigningKey' is not base64.");
        }
        if (KeyProblem(key) is { } problem)
            throw new InvalidOperationException($"Configuration '{prefix}SigningKey': {problem}");
        return new AccessTokenSettings { Issuer = issuer, Audience = audience, SigningKey = key };
    }

    private static string? KeyProblem(byte[] key) => key.Length < MinimumKeyBytes
        ? $"the token signing key has {key.Length} bytes; HMAC-SHA256 needs at least {MinimumKeyBytes} random bytes (base64 in configuration)."
        : null;
}
