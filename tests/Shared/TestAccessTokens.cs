using System.Net.Http.Headers;
using System.Security.Cryptography;
using Grpc.Core;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Tests.Shared;

/// <summary>
/// Access tokens for calling a service directly, as the gateway's callers (and internal callers) do: a signing key of
/// the fixture's own, the <c>Authentication:Jwt</c> settings the service is started with, and tokens signed with them.
/// </summary>
public sealed class TestAccessTokens
{
    public const string DefaultSubject = "test-user";

    public AccessTokenSettings Settings { get; } = new()
    {
        Issuer = "hrms-attendance-tests",
        Audience = AccessTokenSettings.DefaultAudience,
        SigningKey = RandomNumberGenerator.GetBytes(AccessTokenSettings.MinimumKeyBytes),
    };

    /// <summary>The service's configuration for these tokens (what the AppHost passes as <c>Authentication__Jwt__*</c>).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Configuration =>
    [
        new($"{AccessTokenSettings.ConfigurationSection}:Issuer", Settings.Issuer),
        new($"{AccessTokenSettings.ConfigurationSection}:Audience", Settings.Audience),
        new($"{AccessTokenSettings.ConfigurationSection}:SigningKey", Convert.ToBase64String(Settings.SigningKey)),
    ];

    /// <summary>A token for <paramref name="tenant"/>, valid for ten minutes from <paramref name="issuedAt"/> (default now).</summary>
    public string Issue(Guid tenant, string role = AccessRoles.TenantAdmin, Guid? person = null, string subject = DefaultSubject,
        DateTimeOffset? issuedAt = null)
    {
        var issuer = new AccessTokenIssuer(Settings, issuedAt is { } at ? new FixedTime(at) : null);
        return issuer.Issue(new AccessTokenClaims(tenant, subject, [role], person), TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// A token the service must refuse, of one of the kinds <c>expired</c> (its ten minutes ended fifty minutes ago),
    /// <c>foreign-key</c> (signed with another key) and <c>not-a-jwt</c>, for <paramref name="tenant"/>.
    /// </summary>
    public string IssueUnusable(string kind, Guid tenant) => kind switch
    {
        "expired" => Issue(tenant, issuedAt: DateTimeOffset.UtcNow.AddHours(-1)),
        "foreign-key" => new TestAccessTokens().Issue(tenant),
        "not-a-jwt" => "not-a-token",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "expired, foreign-key or not-a-jwt"),
    };

    /// <summary>gRPC call options carrying a token for <paramref name="tenant"/>, with a 30-second deadline.</summary>
    public CallOptions For(Guid tenant, string role = AccessRoles.TenantAdmin, string subject = DefaultSubject) =>
        Bearer(Issue(tenant, role, subject: subject));

    /// <summary>gRPC call options carrying <paramref name="token"/> (none when null) and any <paramref name="extra"/> metadata.</summary>
    public static CallOptions Bearer(string? token, params (string Name, string Value)[] extra)
    {
        var headers = new Metadata();
        if (token is not null) headers.Add("authorization", $"Bearer {token}");
        foreach (var (name, value) in extra) headers.Add(name, value);
        return new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
    }

    /// <summary>An HTTP GET carrying <paramref name="token"/> (none when null) and any <paramref name="extra"/> headers.</summary>
    public static HttpRequestMessage Get(string pathAndQuery, string? token, params (string Name, string Value)[] extra)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in extra) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>
    /// The identity headers the gateway used to set (x-tenant-id naming <paramref name="tenant"/>, a principal, a role, a
    /// person), as a caller that reaches a service's port directly would forge them. Services must ignore them.
    /// </summary>
    public static (string Name, string Value)[] ForgedIdentityHeaders(Guid tenant) =>
        [("x-tenant-id", tenant.ToString()), ("x-principal-id", "root"), ("x-roles", "tenant-admin"), ("x-person-id", Guid.NewGuid().ToString())];

    /// <summary>The gRPC metadata of a grpc-js call (tests/interop-node) carrying <paramref name="token"/>.</summary>
    public static Dictionary<string, string> NodeMetadata(string token) => new() { ["authorization"] = $"Bearer {token}" };

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
