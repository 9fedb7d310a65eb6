using Grpc.Core;
using HrmsAttendance.Gateway.Tests.Tokens;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.Harness;

/// <summary>
/// A backend and the gateway in front of it: every service (punch-ledger, daily-results, identity-mapping) is the
/// backend, by the Aspire convention <c>services:&lt;name&gt;:grpc|http:0</c>. Redis is a closed port unless told
/// otherwise, so the rate limiter runs on its local buckets (as it does while Redis is down).
/// </summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    public static readonly string[] Services = ["punch-ledger", "daily-results", "identity-mapping", "dingtalk-connector", "wecom-connector", "identity"];

    private GatewayHarness(Backend backend, GatewayFactory gateway)
    {
        Backend = backend;
        Gateway = gateway;
    }

    public Backend Backend { get; }
    public GatewayFactory Gateway { get; }
    public AccessTokenSettings TokenSettings { get; } = TestTokens.Settings();

    public static GatewayHarness Start(Backend backend, IReadOnlyDictionary<string, string?>? settings = null,
        Uri? grpcDestination = null, Uri? httpDestination = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Authentication:Jwt:Issuer"] = "test-issuer",
            ["Authentication:Jwt:Audience"] = "test-audience",
            ["Authentication:Jwt:SigningKey"] = Convert.ToBase64String(TestTokens.Key()),
            // Nothing listens there; the password only satisfies the gateway's rule that no login goes without one.
            ["ConnectionStrings:redis"] = $"127.0.0.1:{Ports.Free()},password=unused,abortConnect=false,connectTimeout=200",
            // Out of the way unless a test is about limits.
            ["Gateway:RateLimits:PerTenant:Capacity"] = "100000",
            ["Gateway:RateLimits:PerTenant:RefillPerSecond"] = "100000",
            ["Gateway:RateLimits:PerPrincipal:Capacity"] = "100000",
            ["Gateway:RateLimits:PerPrincipal:RefillPerSecond"] = "100000",
        };
        foreach (var service in Services)
        {
            all[$"services:{service}:grpc:0"] = (grpcDestination ?? backend.GrpcAddress).ToString().TrimEnd('/');
            all[$"services:{service}:http:0"] = (httpDestination ?? backend.HttpAddress).ToString().TrimEnd('/');
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return new GatewayHarness(backend, new GatewayFactory(all).Start());
    }

    /// <summary>A token of <paramref name="role"/> in the test tenant, signed with the gateway's key.</summary>
    public string Token(string role, Guid? person = null, string subject = "user-1", TimeProvider? clock = null) =>
        new AccessTokenIssuer(TokenSettings, clock).Issue(
            new AccessTokenClaims(TestTokens.Tenant, subject, [role], person), TimeSpan.FromMinutes(10));

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    /// <summary>A loopback address nothing listens on.</summary>
    public static Uri ClosedAddress()
    {
        return new Uri($"http://127.0.0.1:{Ports.Free()}");
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
