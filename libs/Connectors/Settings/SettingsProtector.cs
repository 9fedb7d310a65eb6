using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.Connectors.Settings;

/// <summary>
/// Encrypts the tenants' platform secrets before they reach the database (AES-256-GCM; nonce ‖ tag ‖ ciphertext), with a
/// key from configuration (<c>{Section}:SettingsKey</c>, e.g. <c>DingTalk:SettingsKey</c>, base64 of 32 bytes) that the
/// database never sees. The tenant id
/// is the associated data, so a ciphertext copied to another tenant's row does not decrypt. No default key anywhere:
/// the AppHost generates one per data directory in a local run; a deployment supplies its own.
/// </summary>
public sealed class SettingsProtector
{
    public const string KeyName = "SettingsKey";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly byte[] _key;

    public SettingsProtector(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException($"The settings key must be 32 bytes (base64), not {key.Length}.", nameof(key));
        _key = key.ToArray();
    }

    /// <param name="section">The connector's configuration section (<c>DingTalk</c>, <c>WeCom</c>).</param>
    public static SettingsProtector FromConfiguration(IConfiguration configuration, string section)
    {
        var setting = $"{section}:{KeyName}";
        var text = configuration[setting];
        if (string.IsNullOrWhiteSpace(text))
            throw new InvalidOperationException($"Configuration {setting} (environment variable {section}__{KeyName}) is missing: base64 of 32 random bytes encrypts the tenants' {section} secrets; it has no default.");
        try { return new SettingsProtector(Convert.FromBase64String(text)); }
        catch (FormatException) { throw new InvalidOperationException($"Configuration {setting} is not base64."); }
    }

    public byte[] Protect(Guid tenant, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceBytes + TagBytes), output.AsSpan(NonceBytes, TagBytes), tenant.ToByteArray());
        return output;
    }

    public string Unprotect(Guid tenant, byte[] protectedSecret)
    {
        if (protectedSecret.Length < NonceBytes + TagBytes) throw new CryptographicException("The stored secret is too short.");
        var plain = new byte[protectedSecret.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(protectedSecret.AsSpan(0, NonceBytes), protectedSecret.AsSpan(NonceBytes + TagBytes),
            protectedSecret.AsSpan(NonceBytes, TagBytes), plain, tenant.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }
}
