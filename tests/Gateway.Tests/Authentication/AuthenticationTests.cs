using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Access;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.Gateway.Tests.Tokens;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.Authentication;

/// <summary>JwtBearer in the running gateway: our tokens pass, everything else is 401 / UNAUTHENTICATED with a stable code.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private const string JsonPath = "/api/identity/unmapped";
    private const string GrpcPath = "/attendance.identity.v1.IdentityMapping/ListUnmapped";
    private GatewayHarness _h = null!;

    public async Task InitializeAsync() => _h = GatewayHarness.Start(await Backends.StartContractStubsAsync());

    public async Task DisposeAsync() => await _h.DisposeAsync();

    public static TheoryData<string, string[]> Refusals() => new()
    {
        { GatewayErrors.Unauthenticated, [] },
        { GatewayErrors.Unauthenticated, ["Basic dXNlcjpwYXNz"] },
        { GatewayErrors.Unauthenticated, ["Token abc"] },
        { GatewayErrors.Unauthenticated, ["Bearer"] },
        { GatewayErrors.Unauthenticated, ["Bearer a.b.c", "Bearer d.e.f"] },
        { GatewayErrors.TokenInvalid, ["Bearer not-a-jwt"] },
        { GatewayErrors.TokenInvalid, ["Bearer " + TestTokens.Sign(TestTokens.ValidPayload(DateTimeOffset.UtcNow), TestTokens.Key(9))] },   // another key
        { GatewayErrors.TokenInvalid, ["Bearer " + TestTokens.Sign(With(TestTokens.ValidPayload(DateTimeOffset.UtcNow), "roles", new[] { "root" }), TestTokens.Key())] },
        { GatewayErrors.TokenInvalid, ["Bearer " + TestTokens.Sign(With(TestTokens.ValidPayload(DateTimeOffset.UtcNow), "tenant_id", "nope"), TestTokens.Key())] },
        { GatewayErrors.TokenInvalid, ["Bearer " + TestTokens.Sign(TestTokens.ValidPayload(DateTimeOffset.UtcNow), TestTokens.Key(), "HS512")] },
        { GatewayErrors.TokenInvalid, ["Bearer " + TestTokens.Unsigned(TestTokens.ValidPayload(DateTimeOffset.UtcNow))] },
        { GatewayErrors.TokenExpired, ["Bearer " + TestTokens.Sign(TestTokens.ValidPayload(DateTimeOffset.UtcNow.AddHours(-1)), TestTokens.Key())] },
        { GatewayErrors.TokenExpired, ["Bearer " + TestTokens.Sign(TestTokens.ValidPayload(DateTimeOffset.UtcNow.AddHours(1)), TestTokens.Key())] }, // not yet valid
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Json_refusal_is_401_problem_details_with_the_code(string code, string[] authorization)
    {
        using var http = _h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, JsonPath);
        foreach (var value in authorization) request.Headers.TryAddWithoutValidation("Authorization", value);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(code, await GatewayAccessTests.CodeOf(response));
        Assert.Empty(_h.Backend.Requests);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Grpc_refusal_is_trailers_only_unauthenticated_with_the_code(string code, string[] authorization)
    {
        using var h2 = _h.Gateway.H2();
        using var request = GatewayFactory.GrpcRequest(GrpcPath, AccessTestKit.Frame(new HrmsAttendance.Contracts.Identity.V1.ListUnmappedRequest()), null);
        foreach (var value in authorization) request.Headers.TryAddWithoutValidation("Authorization", value);

        using var response = await h2.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("grpc-status"), "the status is in the headers: trailers-only");
        var (status, message) = await GatewayFactory.GrpcStatusAsync(response);
        Assert.Equal((int)StatusCode.Unauthenticated, status);
        Assert.StartsWith(code + ":", message);
        Assert.Empty(_h.Backend.Requests);
    }

    [Fact]
    public async Task A_valid_token_passes_with_either_case_of_the_scheme()
    {
        using var http = _h.Gateway.Http();
        foreach (var scheme in new[] { "Bearer", "bearer" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, JsonPath);
            request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {_h.Token(AccessRoles.TenantAdmin)}");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Without_a_signing_key_the_gateway_does_not_start()
    {
        await using var backend = await Backends.StartContractStubsAsync();
        var error = Assert.ThrowsAny<Exception>(() => GatewayHarness.Start(backend, new Dictionary<string, string?> { ["Authentication:Jwt:SigningKey"] = "" }));

        Assert.Contains("Authentication:Jwt:SigningKey", error.GetBaseException().Message);
    }

    private static Dictionary<string, object?> With(Dictionary<string, object?> payload, string claim, object? value)
    {
        payload[claim] = value;
        return payload;
    }
}
