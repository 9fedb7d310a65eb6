using System.Net;
using System.Net.Http.Headers;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Access;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.RateLimiting.Tests;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.RateLimits;

/// <summary>
/// Two gateway instances on one real redis-server (the AppHost's local-server resource): a caller's bucket is shared
/// between them, /health is Healthy; once Redis goes away they keep serving on their own buckets and say Degraded.
/// </summary>
public sealed class SharedBucketsTests
{
    [Fact]
    public async Task Two_gateways_share_a_callers_bucket_through_redis_and_fall_back_when_it_goes()
    {
        var redis = await TestRedisServer.StartTemporaryAsync();
        var redisStopped = false;
        await using var backend = await Backends.StartContractStubsAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Gateway:RateLimits:PerPrincipal:Capacity"] = "3",
            ["Gateway:RateLimits:PerPrincipal:RefillPerSecond"] = "0.01",
        };
        var a = GatewayHarness.Start(backend, settings);
        var b = GatewayHarness.Start(backend, settings);
        try
        {
            using var httpA = a.Gateway.Http();
            using var httpB = b.Gateway.Http();
            var token = a.Token(AccessRoles.TenantAdmin, subject: "shared-caller");

            Assert.Contains("Healthy", await httpA.GetStringAsync("/health"));
            var statuses = new List<HttpStatusCode>();
            foreach (var http in new[] { httpA, httpB, httpA, httpB })
                statuses.Add((await SendAsync(http, token)).StatusCode);

            // 3 tokens in all, not 3 per instance: the fourth call, on either instance, is refused.
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);

            await redis.DisposeAsync();
            redisStopped = true;
            using var fallback = await SendAsync(httpB, token);
            Assert.Equal(HttpStatusCode.OK, fallback.StatusCode); // served, on b's own bucket
            var health = await httpB.GetStringAsync("/health");
            Assert.Contains("Degraded", health);
        }
        finally
        {
            await a.Gateway.DisposeAsync();
            await b.Gateway.DisposeAsync();
            if (!redisStopped) await redis.DisposeAsync();
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/unmapped");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            Assert.Equal(GatewayErrors.RateLimited, await GatewayAccessTests.CodeOf(response));
        return response;
    }
}
