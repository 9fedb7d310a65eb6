using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Access;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.RateLimits;

/// <summary>
/// ASP.NET Core's rate limiter in the running gateway, over the shared buckets; Redis is unreachable here, so the
/// buckets are each instance's own and /health says Degraded.
/// </summary>
public sealed class GatewayRateLimitingTests : IAsyncLifetime
{
    private GatewayHarness _h = null!;

    public async Task InitializeAsync() => _h = GatewayHarness.Start(await Backends.StartContractStubsAsync(), new Dictionary<string, string?>
    {
        ["Gateway:RateLimits:PerPrincipal:Capacity"] = "2",
        ["Gateway:RateLimits:PerPrincipal:RefillPerSecond"] = "0.01",
    });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Json_caller_over_its_limit_gets_429_with_retry_after_and_the_code()
    {
        using var http = _h.Gateway.Http();
        var token = _h.Token(AccessRoles.TenantAdmin, subject: "json-caller");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/unmapped");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            last = await http.SendAsync(request);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(last!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(GatewayErrors.RateLimited, await GatewayAccessTests.CodeOf(last));
        Assert.Equal(2, _h.Backend.Requests.Count);
        last.Dispose();
    }

    [Fact]
    public async Task Grpc_caller_over_its_limit_gets_resource_exhausted_and_another_caller_does_not()
    {
        using var h2 = _h.Gateway.H2();
        var token = _h.Token(AccessRoles.TenantAdmin, subject: "grpc-caller");
        var frame = AccessTestKit.Frame(new HrmsAttendance.Contracts.Identity.V1.ListPersonsRequest());
        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await h2.SendAsync(GatewayFactory.GrpcRequest("/attendance.identity.v1.IdentityMapping/ListPersons", frame, token));
            var (status, message) = await GatewayFactory.GrpcStatusAsync(response);
            statuses.Add(status);
            if (i == 2)
            {
                Assert.StartsWith(GatewayErrors.RateLimited + ":", message);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        Assert.Equal([(int)StatusCode.Unimplemented, (int)StatusCode.Unimplemented, (int)StatusCode.ResourceExhausted], statuses);

        using var other = await h2.SendAsync(GatewayFactory.GrpcRequest("/attendance.identity.v1.IdentityMapping/ListPersons", frame,
            _h.Token(AccessRoles.TenantAdmin, subject: "someone-else")));
        Assert.Equal((int)StatusCode.Unimplemented, (await GatewayFactory.GrpcStatusAsync(other)).Status);
    }

    [Fact]
    public async Task Health_is_degraded_while_redis_is_unreachable_and_the_gateway_still_serves()
    {
        using var http = _h.Gateway.Http();

        using var health = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = await health.Content.ReadAsStringAsync();
        Assert.Contains("Degraded", body);
        Assert.Contains("rate-limits", body);
    }
}
