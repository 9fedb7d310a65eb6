using System.Security.Cryptography;
using HrmsAttendance.Identity.Data;
using Microsoft.AspNetCore.Identity;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, versioned hashes).</summary>
public sealed class Passwords
{
    private readonly PasswordHasher<UserRecord> _hasher = new();

    /// <summary>Compared against when there is no such user, so a wrong user name costs as long as a wrong password.</summary>
    private readonly string _decoy;

    public Passwords() => _decoy = _hasher.HashPassword(null!, Guid.NewGuid().ToString("N"));

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    /// <summary>True when <paramref name="password"/> is the user's; always does the same work, user or not.</summary>
    public bool Verify(UserRecord? user, string password)
    {
        var result = _hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? _decoy, password);
        return user is not null && result != PasswordVerificationResult.Failed;
    }

    /// <summary>Letters and digits that are not mistaken for one another when read aloud or copied by hand (no 0 O 1 l I).</summary>
    private const string TemporaryAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>
    /// A temporary password for an admin's reset: 16 characters from a 56-letter alphabet (about 93 bits) from the
    /// system's CSPRNG, in groups of four for reading it out.
    /// </summary>
    public static string NewTemporary()
    {
        var letters = RandomNumberGenerator.GetString(TemporaryAlphabet, 16);
        return string.Join('-', letters.Chunk(4).Select(group => new string(group)));
    }

    /// <summary>Passwords people choose: 8 to 128 characters (no other rule; long passphrases welcome).</summary>
    public static string? Problem(string password) =>
        password.Length is < 8 or > 128 ? "password must have 8 to 128 characters" : null;
}
