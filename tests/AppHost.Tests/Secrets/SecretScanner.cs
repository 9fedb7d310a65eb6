using System.Text.RegularExpressions;

namespace HrmsAttendance.AppHost.Tests.Secrets;

/// <summary>A log line that holds a secret: where it was, what kind of secret, and the line with the secret masked.</summary>
public sealed record SecretFinding(string Source, string Secret, string MaskedLine)
{
    public override string ToString() => $"[{Source}] {Secret}: {MaskedLine}";
}

/// <summary>
/// Finds secrets in log lines: the known values (the tokens a test sent, the passwords and the signing key the AppHost
/// generated) wherever they appear, and the shapes of a secret whatever its value: a bearer token
/// (<c>Bearer eyJ…</c>), any JWT (three base64url parts, the first two JSON objects), a <c>password=</c> or <c>pwd=</c>
/// with a value (a connection string), a URI with a password in its user info (<c>amqp://user:secret@host</c>).
/// </summary>
public sealed partial class SecretScanner(IReadOnlyDictionary<string, string> knownSecrets)
{
    /// <summary>Shorter known values would match by chance; every secret the AppHost generates is far longer.</summary>
    public const int MinimumSecretLength = 8;

    private readonly KeyValuePair<string, string>[] known = knownSecrets
        .Select(s => s.Value.Length >= MinimumSecretLength
            ? s
            : throw new ArgumentException($"the secret '{s.Key}' is {s.Value.Length} characters: too short to look for"))
        .ToArray();

    public IReadOnlyList<SecretFinding> Scan(IEnumerable<(string Source, string Line)> lines)
    {
        var findings = new List<SecretFinding>();
        foreach (var (source, line) in lines)
        {
            foreach (var (name, value) in known)
                if (line.Contains(value, StringComparison.Ordinal))
                    findings.Add(new SecretFinding(source, name, line.Replace(value, "<" + name + ">", StringComparison.Ordinal)));
            foreach (var (name, pattern) in Patterns)
                if (pattern.Match(line) is { Success: true } match)
                    findings.Add(new SecretFinding(source, name, line.Replace(match.Value, "<" + name + ">", StringComparison.Ordinal)));
        }
        return findings;
    }

    private static readonly (string Name, Regex Pattern)[] Patterns =
    [
        ("bearer token", BearerToken()),
        ("JWT", Jwt()),
        ("password in a connection string", ConnectionStringPassword()),
        ("password in a URI", UriPassword()),
    ];

    [GeneratedRegex(@"Bearer\s+eyJ", RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    // header.payload.signature, the header and the payload base64url JSON objects ("eyJ" is '{"' encoded).
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")]
    private static partial Regex Jwt();

    // Password=…, password=…, Pwd=… with a value that is not a mask (*** or an empty value).
    [GeneratedRegex(@"\b(password|pwd)\s*=\s*(?!\*+(?:[;,\s]|$))[^;,\s'""]+", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringPassword();

    // scheme://user:secret@host (amqp://, redis://, postgres://), not a host:port.
    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:(?!\*+@)[^\s:/@]+@", RegexOptions.IgnoreCase)]
    private static partial Regex UriPassword();
}
