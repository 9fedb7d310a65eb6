using System.Net;
using System.Text;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Access;
using HrmsAttendance.Gateway.Tests.Harness;

namespace HrmsAttendance.Gateway.Tests.Proxy;

/// <summary>The web app's catch-all route (a topology with <c>web</c>): pages pass anonymously, /api and gRPC never do.</summary>
public sealed class WebAppRouteTests
{
    private static async Task<GatewayHarness> StartWithWebAppAsync()
    {
        var backend = await Backends.StartContractStubsAsync();
        return GatewayHarness.Start(backend, new Dictionary<string, string?> { ["services:web:http:0"] = backend.HttpAddress.ToString().TrimEnd('/') });
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/my-month?month=2026-03")]
    [InlineData("GET", "/_framework/blazor.web.js")]
    [InlineData("POST", "/account/logout")]
    public async Task Pages_go_to_the_web_app_without_a_token_with_forwarded_headers(string method, string pathAndQuery)
    {
        await using var h = await StartWithWebAppAsync();
        using var http = h.Gateway.Http();

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), pathAndQuery));

        var seen = h.Backend.LastRequest;
        Assert.Equal(pathAndQuery, seen.PathAndQuery);
        Assert.NotEmpty(seen.Values("x-forwarded-host"));
        Assert.Equal(["http"], seen.Values("x-forwarded-proto"));
    }

    [Theory]
    [InlineData("GET", "/api/nothing")]
    [InlineData("GET", "/api")]
    [InlineData("GET", "/api/daily-results/x")]
    [InlineData("POST", "/attendance.ledger.v1.PunchLedger/SubmitPunch")]
    public async Task Api_and_grpc_paths_no_route_takes_stay_refused(string method, string path)
    {
        await using var h = await StartWithWebAppAsync();
        using var http = h.Gateway.Http();

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? new StringContent("{}", Encoding.UTF8, "application/json") : null,
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(GatewayErrors.RouteNotFound, await GatewayAccessTests.CodeOf(response));
        Assert.Empty(h.Backend.Requests);
    }
}
