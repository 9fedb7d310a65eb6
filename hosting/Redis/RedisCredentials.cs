using System.Security.Cryptography;
using System.Text.Json;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Redis;

/// <summary>
/// The password, generated once per data directory and kept in credentials.json (mode 600), so a restart on the
/// same directory hands out the same connection string.
/// </summary>
internal sealed class RedisCredentials
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private RedisCredentials(string password) => Password = password;

    public string Password { get; }

    public static RedisCredentials LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var contents = JsonSerializer.Deserialize<Contents>(File.ReadAllText(path));
            if (string.IsNullOrEmpty(contents?.Password))
            {
                throw new InvalidOperationException($"'{path}' holds no password. Delete it to have a new one generated.");
            }
            return new RedisCredentials(contents.Password);
        }
        // Hex: nothing to escape in redis.conf, in RESP or in a StackExchange.Redis connection string.
        var created = new Contents { Password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) };
        PrivateFile.Write(path, stream => JsonSerializer.Serialize(stream, created, JsonOptions));
        return new RedisCredentials(created.Password);
    }

    private sealed class Contents
    {
        public required string Password { get; init; }
    }
}
