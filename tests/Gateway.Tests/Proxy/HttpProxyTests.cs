using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Access;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.Proxy;

/// <summary>JSON through the gateway, and the refusals of routing and of a service that is down or slow.</summary>
public sealed class HttpProxyTests
{
    [Fact]
    public async Task Request_and_response_pass_with_path_query_status_headers_and_body()
    {
        await using var h = GatewayHarness.Start(await Backends.StartContractStubsAsync());
        using var http = h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/daily-results?from_date=2026-03-01&person_uuid=x");
        var token = h.Token(AccessRoles.Approver);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("x-tenant-id", "00000000-0000-0000-0000-000000000001");
        request.Headers.TryAddWithoutValidation("X-Gateway-Trusted", "yes");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("daily-results", response.Headers.GetValues("x-backend").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("/api/daily-results", body.RootElement.GetProperty("path").GetString());
        Assert.Equal("?from_date=2026-03-01&person_uuid=x", body.RootElement.GetProperty("query").GetString());
        var seen = h.Backend.LastRequest;
        Assert.Equal("HTTP/1.1", seen.Protocol);
        Assert.Equal(["Bearer " + token], seen.Values("authorization"));
        Assert.Empty(seen.Values("x-gateway-trusted"));
        Assert.Empty(seen.Values("x-tenant-id"));
    }

    [Theory]
    [InlineData("GET", "/nothing/here")]
    [InlineData("GET", "/api/punches")]                  // owned by punch-ledger, but not served (not in the catalog)
    [InlineData("POST", "/api/daily-results")]           // a known path with another method
    [InlineData("GET", "/api/daily-results/x")]
    public async Task Unknown_routes_are_404_problem_details_before_any_token_is_asked_for(string method, string path)
    {
        await using var h = GatewayHarness.Start(await Backends.StartContractStubsAsync());
        using var http = h.Gateway.Http();

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(GatewayErrors.RouteNotFound, await GatewayAccessTests.CodeOf(response));
        Assert.Empty(h.Backend.Requests);
    }

    [Fact]
    public async Task The_gateways_own_health_endpoints_stay_its_own()
    {
        await using var h = GatewayHarness.Start(await Backends.StartContractStubsAsync());
        using var http = h.Gateway.Http();

        using var alive = await http.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Empty(h.Backend.Requests);
    }

    [Fact]
    public async Task Service_down_is_502_problem_details_and_unavailable_for_grpc()
    {
        await using var h = GatewayHarness.Start(await Backends.StartContractStubsAsync(),
            grpcDestination: GatewayHarness.ClosedAddress(), httpDestination: GatewayHarness.ClosedAddress());
        var token = h.Token(AccessRoles.TenantAdmin);
        using var http = h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/unmapped");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(GatewayErrors.UpstreamUnavailable, await GatewayAccessTests.CodeOf(response));

        using var h2 = h.Gateway.H2();
        using var grpc = await h2.SendAsync(GatewayFactory.GrpcRequest("/attendance.identity.v1.IdentityMapping/ListPersons",
            AccessTestKit.Frame(new HrmsAttendance.Contracts.Identity.V1.ListPersonsRequest()), token));
        var (status, message) = await GatewayFactory.GrpcStatusAsync(grpc);
        Assert.Equal(HttpStatusCode.OK, grpc.StatusCode);
        Assert.Equal((int)StatusCode.Unavailable, status);
        Assert.StartsWith(GatewayErrors.UpstreamUnavailable + ":", message);
    }

    [Fact]
    public async Task Service_slower_than_the_http_timeout_is_504()
    {
        await using var h = GatewayHarness.Start(await Backends.StartContractStubsAsync(),
            new Dictionary<string, string?> { ["Gateway:Forwarding:HttpTimeout"] = "00:00:00.5" });
        using var http = h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/daily-results?delay_ms=5000");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Token(AccessRoles.TenantAdmin));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(GatewayErrors.UpstreamTimeout, await GatewayAccessTests.CodeOf(response));
    }

    [Fact]
    public async Task A_json_body_over_the_limit_is_413_and_never_reaches_the_service()
    {
        await using var h = GatewayHarness.Start(await Backends.StartContractStubsAsync(),
            new Dictionary<string, string?> { ["Gateway:Forwarding:MaxRequestBodyBytes"] = "16" });
        using var http = h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/unmapped") { Content = new ByteArrayContent(new byte[1024]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Token(AccessRoles.TenantAdmin));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(GatewayErrors.PayloadTooLarge, await GatewayAccessTests.CodeOf(response));
        Assert.DoesNotContain(h.Backend.Requests, r => r.PathAndQuery.StartsWith("/api/identity/unmapped", StringComparison.Ordinal));
    }
}
