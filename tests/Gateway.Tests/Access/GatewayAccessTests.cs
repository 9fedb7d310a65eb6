using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.Tokens;
using static HrmsAttendance.Gateway.Tests.Access.AccessTestKit;

namespace HrmsAttendance.Gateway.Tests.Access;

/// <summary>
/// The access table through the running gateway (JwtBearer → policies → YARP) to the contracts' own (unimplemented)
/// services: every gRPC method and JSON route, for every role, about the caller's own person and about another.
/// A call let through is answered by the service (UNIMPLEMENTED, no gateway code; JSON 200); a refused one is
/// 403 / PERMISSION_DENIED GATEWAY_FORBIDDEN and never reaches the service.
/// </summary>
public sealed class GatewayAccessTests : IAsyncLifetime
{
    private GatewayHarness _h = null!;

    public async Task InitializeAsync() => _h = GatewayHarness.Start(await Backends.StartContractStubsAsync());

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Grpc_matrix_through_the_gateway()
    {
        using var h2 = _h.Gateway.H2();
        var failures = new List<string>();
        foreach (var (path, (expected, requestAbout)) in AccessMatrixTests.GrpcExpectations)
        {
            var cells = expected.Split(' ');
            for (var i = 0; i < AccessMatrixTests.Roles.Length; i++)
            {
                var token = _h.Token(AccessMatrixTests.Roles[i], Own);
                foreach (var (about, person, allowed) in new[] { ("own", Own, cells[i] is "T" or "O"), ("other", Other, cells[i] == "T") })
                {
                    var before = _h.Backend.Requests.Count;
                    using var response = await h2.SendAsync(GatewayFactory.GrpcRequest(path, Frame(requestAbout(person)), token));
                    var (status, message) = await GatewayFactory.GrpcStatusAsync(response);
                    var reached = _h.Backend.Requests.Count > before;
                    var ok = allowed
                        ? status == (int)StatusCode.Unimplemented && reached && message?.StartsWith("GATEWAY_", StringComparison.Ordinal) != true
                        : status == (int)StatusCode.PermissionDenied && !reached && message?.StartsWith(GatewayErrors.Forbidden + ":", StringComparison.Ordinal) == true;
                    if (!ok)
                        failures.Add($"{path} / {AccessMatrixTests.Roles[i]} / {about}: status {status} '{message}', reached {reached}; expected {(allowed ? "allowed" : "forbidden")}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Http_matrix_through_the_gateway()
    {
        using var http = _h.Gateway.Http();
        var failures = new List<string>();
        foreach (var ((method, path), (expected, queryAbout)) in AccessMatrixTests.HttpExpectations)
        {
            var cells = expected.Split(' ');
            for (var i = 0; i < AccessMatrixTests.Roles.Length; i++)
            {
                var token = _h.Token(AccessMatrixTests.Roles[i], Own);
                foreach (var (about, person, allowed) in new[] { ("own", Own, cells[i] is "T" or "O"), ("other", Other, cells[i] == "T") })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path + queryAbout(person));
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    using var response = await http.SendAsync(request);
                    var code = allowed ? null : await CodeOf(response);
                    var ok = allowed ? response.StatusCode == HttpStatusCode.OK : response.StatusCode == HttpStatusCode.Forbidden && code == GatewayErrors.Forbidden;
                    if (!ok)
                        failures.Add($"{method} {path} / {AccessMatrixTests.Roles[i]} / {about}: {(int)response.StatusCode} {code}; expected {(allowed ? "200" : "403")}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task An_employees_gzip_request_is_inspected_and_forwarded_compressed()
    {
        // Grpc.Net.Client compresses the request with gzip when asked to; the gateway inflates a copy to check the person.
        using var channel = _h.Gateway.Channel();
        var client = new DailyResults.DailyResultsClient(channel);
        var headers = GatewayHarness.Bearer(_h.Token(AccessRoles.Employee, Own));
        headers.Add("grpc-internal-encoding-request", "gzip");

        var own = await Assert.ThrowsAsync<RpcException>(() => client.ListDailyResultsAsync(new ListDailyResultsRequest { PersonUuid = Own.ToString("D") }, headers).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, own.StatusCode); // answered by the service
        Assert.Equal("gzip", _h.Backend.LastRequest.Single("grpc-encoding"));

        var count = _h.Backend.Requests.Count;
        var other = await Assert.ThrowsAsync<RpcException>(() => client.ListDailyResultsAsync(new ListDailyResultsRequest { PersonUuid = Other.ToString("D") }, headers).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.StartsWith(GatewayErrors.Forbidden + ":", other.Status.Detail);
        Assert.Equal(count, _h.Backend.Requests.Count);
    }

    [Fact]
    public async Task An_unreadable_message_of_an_employee_is_a_bad_request()
    {
        using var h2 = _h.Gateway.H2();
        using var response = await h2.SendAsync(GatewayFactory.GrpcRequest("/attendance.results.v1.DailyResults/ListDailyResults",
            [0, 0, 0, 0, 10, 0x0A, 0x01], _h.Token(AccessRoles.Employee, Own)));

        var (status, message) = await GatewayFactory.GrpcStatusAsync(response);
        Assert.Equal((int)StatusCode.InvalidArgument, status);
        Assert.StartsWith(GatewayErrors.BadRequest + ":", message);
    }

    [Fact]
    public async Task Forbidden_json_is_problem_details_naming_role_and_operation()
    {
        using var http = _h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/unmapped");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _h.Token(AccessRoles.Approver));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(GatewayErrors.Forbidden, problem.RootElement.GetProperty("code").GetString());
        Assert.Contains("approver", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Forbidden_grpc_is_a_trailers_only_permission_denied()
    {
        var frames = await RawHttp2.PostAsync(_h.Gateway.GrpcAddress, "/attendance.identity.v1.IdentityMapping/ListUnmapped",
            [("content-type", "application/grpc"), ("te", "trailers"), ("authorization", "Bearer " + _h.Token(AccessRoles.Approver))],
            Frame(new HrmsAttendance.Contracts.Identity.V1.ListUnmappedRequest()));

        var only = Assert.Single(frames);
        Assert.True(only.HasEndStream && only.Type == RawHttp2.Headers);
    }

    public static async Task<string?> CodeOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
