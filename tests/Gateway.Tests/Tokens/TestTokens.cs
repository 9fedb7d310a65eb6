using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.Tokens;

/// <summary>Keys, settings and hand-built JWTs (independent of the issuer under test) for the token and access tests.</summary>
public static class TestTokens
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 1, 2, 0, TimeSpan.Zero);
    public static readonly Guid Tenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");
    public static readonly Guid Person = Guid.Parse("0b6f2c55-8c1e-4d0e-a3f5-5f1d8b1f3a20");

    public static byte[] Key(byte fill = 7) => Enumerable.Repeat(fill, 32).Select((b, i) => (byte)(b + i)).ToArray();

    public static AccessTokenSettings Settings(byte[]? key = null, string issuer = "test-issuer", string audience = "test-audience") =>
        new() { Issuer = issuer, Audience = audience, SigningKey = key ?? Key() };

    /// <summary>A payload the validator accepts, as a mutable dictionary the tests spoil one claim at a time.</summary>
    public static Dictionary<string, object?> ValidPayload(DateTimeOffset? now = null, AccessTokenSettings? settings = null)
    {
        settings ??= Settings();
        var t = (now ?? Start).ToUnixTimeSeconds();
        return new Dictionary<string, object?>
        {
            ["iss"] = settings.Issuer,
            ["aud"] = settings.Audience,
            ["iat"] = t,
            ["nbf"] = t,
            ["exp"] = t + 600,
            ["jti"] = "jti-1",
            ["tenant_id"] = Tenant.ToString("D"),
            ["sub"] = "user-1",
            ["roles"] = new[] { AccessRoles.Approver },
        };
    }

    /// <summary>Signs <paramref name="payload"/> with HMAC (HS256 unless told) by hand.</summary>
    public static string Sign(IDictionary<string, object?> payload, byte[] key, string alg = "HS256")
    {
        var signingInput = $"{Segment(new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "JWT" })}.{Segment(payload)}";
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = alg switch
        {
            "HS256" => HMACSHA256.HashData(key, data),
            "HS384" => HMACSHA384.HashData(key, data),
            "HS512" => HMACSHA512.HashData(key, data),
            _ => throw new ArgumentException(alg),
        };
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>An unsecured JWT (<c>alg: none</c>, empty signature).</summary>
    public static string Unsigned(IDictionary<string, object?> payload) =>
        $"{Segment(new Dictionary<string, object?> { ["alg"] = "none", ["typ"] = "JWT" })}.{Segment(payload)}.";

    public static string Segment(object value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));

    public static JsonDocument DecodePayload(string token)
    {
        var segment = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        segment = segment.PadRight(segment.Length + (4 - segment.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(segment));
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
