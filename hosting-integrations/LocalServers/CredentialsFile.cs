using System.Security.Cryptography;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>
/// <c>key=value</c> lines in a mode-600 file: secrets generated on first use and reused on every later run, so a
/// server initialised on an earlier run still accepts them. Deleting the data directory gives new ones.
/// </summary>
internal sealed class CredentialsFile(Func<string> path)
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private readonly Lock _gate = new();
    private Dictionary<string, string>? _values;

    public string Path => path();

    public bool Exists => File.Exists(Path);

    /// <summary>The secret named <paramref name="key"/>; generated (22 letters and digits) and saved if missing.</summary>
    public string Get(string key)
    {
        lock (_gate)
        {
            _values ??= Load();
            if (!_values.TryGetValue(key, out var value))
            {
                value = RandomNumberGenerator.GetString(Alphabet, 22);
                _values[key] = value;
                Save();
            }
            return value;
        }
    }

    /// <summary>Forget what was read (the file was deleted).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _values = null;
        }
    }

    private Dictionary<string, string> Load()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(Path))
        {
            foreach (var line in File.ReadAllLines(Path))
            {
                var separator = line.IndexOf('=');
                if (separator > 0)
                {
                    values[line[..separator]] = line[(separator + 1)..];
                }
            }
        }
        return values;
    }

    private void Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        LocalServerFiles.WritePrivate(Path, string.Concat(_values!.Select(pair => $"{pair.Key}={pair.Value}\n")));
    }
}
