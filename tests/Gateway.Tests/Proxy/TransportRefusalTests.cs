using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.Proxy;

/// <summary>
/// What the gateway refuses before it reads a token or forwards a byte (issue 15): gRPC over HTTP/1.1, whose trailers
/// (and so the call's status) cannot reach the client; credentials and other headers too large to be real. Each gets a
/// status a gRPC client and curl both read, with a stable code, and the service never sees the call.
/// </summary>
public sealed class TransportRefusalTests : IAsyncLifetime
{
    private const string GrpcPath = "/attendance.identity.v1.IdentityMapping/ListUnmapped";
    private const string JsonPath = "/api/identity/unmapped";
    private const string Http2Required = "GATEWAY_HTTP2_REQUIRED";
    private const string TokenTooLarge = "GATEWAY_TOKEN_TOO_LARGE";
    private const string HeadersTooLarge = "GATEWAY_HEADERS_TOO_LARGE";
    private GatewayHarness _h = null!;

    public async Task InitializeAsync() => _h = GatewayHarness.Start(await Backends.StartContractStubsAsync());

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private int BackendCalls => _h.Backend.Requests.Count;

    private HttpRequestMessage Http1Grpc(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, GrpcPath)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task gRPC_over_HTTP1_is_426_with_a_grpc_status_and_problem_details_and_is_not_forwarded(bool withToken)
    {
        using var http = _h.Gateway.Http();
        using var request = Http1Grpc(withToken ? _h.Token(AccessRoles.TenantAdmin) : null);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("HTTP/2", Assert.Single(response.Headers.Upgrade).ToString());
        Assert.Equal(((int)StatusCode.Unimplemented).ToString(), Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.StartsWith(Http2Required, Uri.UnescapeDataString(Assert.Single(response.Headers.GetValues("grpc-message"))));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Http2Required, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(0, BackendCalls);
    }

    [Fact]
    public async Task The_same_call_over_HTTP2_reaches_the_service()
    {
        using var channel = _h.Gateway.Channel();
        var e = await Assert.ThrowsAsync<RpcException>(async () => await new IdentityMapping.IdentityMappingClient(channel)
            .ListUnmappedAsync(new(), GatewayHarness.Bearer(_h.Token(AccessRoles.TenantAdmin))));

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode); // the stub's own answer: the call was forwarded
        Assert.Equal(1, BackendCalls);
    }

    [Theory]
    [InlineData("application/grpc-web")]
    [InlineData("application/grpc+json")]
    public async Task A_gRPC_content_type_other_than_protobuf_is_UNIMPLEMENTED_with_its_code(string contentType)
    {
        using var h2 = _h.Gateway.H2();
        using var request = GatewayFactory.GrpcRequest(GrpcPath, [0, 0, 0, 0, 0], _h.Token(AccessRoles.TenantAdmin));
        request.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await h2.SendAsync(request);

        var (status, message) = await GatewayFactory.GrpcStatusAsync(response);
        Assert.Equal((int)StatusCode.Unimplemented, status);
        Assert.StartsWith("GATEWAY_UNSUPPORTED_MEDIA_TYPE: ", message);
        Assert.Equal(0, BackendCalls);
    }

    [Theory]
    [InlineData("\u00c3(")]
    [InlineData("a\u0001b")]
    public async Task A_metadata_value_that_is_not_printable_ASCII_is_INVALID_ARGUMENT_and_the_connection_lives(string value)
    {
        using var h2 = new HttpClient(new SocketsHttpHandler { UseProxy = false, RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.Latin1 })
        {
            BaseAddress = _h.Gateway.GrpcAddress,
        };
        using var request = GatewayFactory.GrpcRequest(GrpcPath, [0, 0, 0, 0, 0], _h.Token(AccessRoles.TenantAdmin));
        request.Headers.TryAddWithoutValidation("x-note", value);

        using var response = await h2.SendAsync(request);

        var (status, message) = await GatewayFactory.GrpcStatusAsync(response);
        Assert.Equal((int)StatusCode.InvalidArgument, status);
        Assert.StartsWith("GATEWAY_BAD_REQUEST: header x-note ", message);
        Assert.Equal(0, BackendCalls);
    }

    /// <summary>A bearer token of about <paramref name="bytes"/> bytes (a JWT's shape; its signature does not matter here).</summary>
    private static string TokenOf(int bytes) => "eyJhbGciOiJIUzI1NiJ9." + new string('A', bytes - 64) + ".c2lnbmF0dXJl";

    [Theory]
    [InlineData(9 * 1024)]
    [InlineData(40 * 1024)]
    public async Task An_oversized_token_over_gRPC_is_UNAUTHENTICATED_with_its_code(int bytes)
    {
        using var channel = _h.Gateway.Channel();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await new IdentityMapping.IdentityMappingClient(channel)
            .ListUnmappedAsync(new(), GatewayHarness.Bearer(TokenOf(bytes))));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.StartsWith(TokenTooLarge + ": ", e.Status.Detail);
        Assert.Equal(0, BackendCalls);
    }

    [Theory]
    [InlineData(9 * 1024)]
    [InlineData(40 * 1024)]
    public async Task An_oversized_token_over_JSON_is_401_with_its_code(int bytes)
    {
        using var http = _h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, JsonPath);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + TokenOf(bytes));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(TokenTooLarge, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(0, BackendCalls);
    }

    [Fact]
    public async Task A_token_below_the_limit_is_judged_on_its_merits()
    {
        using var channel = _h.Gateway.Channel();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await new IdentityMapping.IdentityMappingClient(channel)
            .ListUnmappedAsync(new(), GatewayHarness.Bearer(TokenOf(7 * 1024))));

        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.StartsWith(GatewayErrors.TokenInvalid + ": ", e.Status.Detail);
    }

    [Fact]
    public async Task Oversized_metadata_other_than_the_token_is_RESOURCE_EXHAUSTED_with_its_code()
    {
        using var channel = _h.Gateway.Channel();
        var headers = GatewayHarness.Bearer(_h.Token(AccessRoles.TenantAdmin));
        headers.Add("x-padding", new string('p', 20 * 1024));

        var e = await Assert.ThrowsAsync<RpcException>(async () => await new IdentityMapping.IdentityMappingClient(channel)
            .ListUnmappedAsync(new(), headers));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.StartsWith(HeadersTooLarge + ": ", e.Status.Detail);
        Assert.Equal(0, BackendCalls);
    }

    [Fact]
    public async Task Headers_beyond_what_Kestrel_reads_are_431_as_documented()
    {
        using var http = _h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, JsonPath);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + TokenOf(80 * 1024));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal(0, BackendCalls);
    }
}
