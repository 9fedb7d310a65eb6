using System.Security.Cryptography;
using System.Text.Json;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>
/// Passwords generated once per data directory and kept beside the cluster in credentials.json (mode 600),
/// so a restart on the same directory reuses them. The file is the only place they are written down.
/// Not thread-safe: <see cref="PostgresServer"/> serializes access.
/// </summary>
internal sealed class PostgresCredentials
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly string _path;
    private readonly Contents _contents;

    private PostgresCredentials(string path, Contents contents)
    {
        _path = path;
        _contents = contents;
    }

    public string SuperuserPassword => _contents.SuperuserPassword;

    public static PostgresCredentials LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var contents = JsonSerializer.Deserialize<Contents>(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"'{path}' is empty.");
            return new PostgresCredentials(path, contents);
        }
        var created = new PostgresCredentials(path, new Contents { SuperuserPassword = NewPassword() });
        created.Save();
        return created;
    }

    /// <summary>The password of each role, generating (and saving) any that do not exist yet.</summary>
    public IReadOnlyDictionary<string, string> EnsureRolePasswords(IEnumerable<string> roles)
    {
        var added = false;
        foreach (var role in roles)
        {
            if (!_contents.RolePasswords.ContainsKey(role))
            {
                _contents.RolePasswords[role] = NewPassword();
                added = true;
            }
        }
        if (added)
        {
            Save(); // before the roles exist in the cluster, so a crash in between loses nothing
        }
        return _contents.RolePasswords;
    }

    // Hex: no character needs escaping in SQL literals or connection strings.
    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private void Save() => PrivateFile.Write(_path, stream => JsonSerializer.Serialize(stream, _contents, JsonOptions));

    private sealed class Contents
    {
        public required string SuperuserPassword { get; init; }

        public Dictionary<string, string> RolePasswords { get; init; } = new(StringComparer.Ordinal);
    }
}
