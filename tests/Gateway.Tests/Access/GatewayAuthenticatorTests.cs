using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Tokens;
using HrmsAttendance.Tokens;
using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.Gateway.Tests.Access;

public sealed class GatewayAuthenticatorTests
{
    private readonly ManualTimeProvider _clock = new(TestTokens.Start);
    private readonly AccessTokenSettings _settings = TestTokens.Settings();
    private readonly GatewayAuthenticator _authenticator;

    public GatewayAuthenticatorTests() => _authenticator = new GatewayAuthenticator(new AccessTokenValidator(_settings, _clock));

    private string Token(params string[] roles) => new AccessTokenIssuer(_settings, _clock)
        .Issue(new AccessTokenClaims(TestTokens.Tenant, "person:1", roles, TestTokens.Person), TimeSpan.FromMinutes(10));

    private static HttpRequest Request(params string[] authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization.Length > 0) context.Request.Headers.Authorization = authorization;
        return context.Request;
    }

    [Fact]
    public async Task No_header_is_unauthenticated()
    {
        var (principal, error) = await _authenticator.AuthenticateAsync(Request());

        Assert.Null(principal);
        Assert.Equal(GatewayErrors.Unauthenticated, error?.Code);
        Assert.Equal(401, error!.HttpStatus);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Token abc")]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    [InlineData("")]
    public async Task Another_scheme_or_no_token_is_unauthenticated(string header)
    {
        var (principal, error) = await _authenticator.AuthenticateAsync(Request(header));

        Assert.Null(principal);
        Assert.Equal(GatewayErrors.Unauthenticated, error?.Code);
    }

    [Fact]
    public async Task Two_authorization_headers_are_unauthenticated()
    {
        var (principal, error) = await _authenticator.AuthenticateAsync(Request("Bearer " + Token(AccessRoles.Approver), "Bearer x"));

        Assert.Null(principal);
        Assert.Equal(GatewayErrors.Unauthenticated, error?.Code);
    }

    [Fact]
    public async Task Garbage_token_is_invalid()
    {
        var (principal, error) = await _authenticator.AuthenticateAsync(Request("Bearer not.a.jwt"));

        Assert.Null(principal);
        Assert.Equal(GatewayErrors.TokenInvalid, error?.Code);
        Assert.Equal(HrmsAttendance.GrpcWire.StatusCode.Unauthenticated, error!.GrpcStatus);
    }

    [Fact]
    public async Task Expired_token_is_expired()
    {
        var header = "Bearer " + Token(AccessRoles.Approver);
        _clock.Advance(TimeSpan.FromHours(1));

        var (principal, error) = await _authenticator.AuthenticateAsync(Request(header));

        Assert.Null(principal);
        Assert.Equal(GatewayErrors.TokenExpired, error?.Code);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("bearer ")]
    [InlineData("  BEARER   ")]
    public async Task Valid_token_gives_the_principal(string prefix)
    {
        var (principal, error) = await _authenticator.AuthenticateAsync(Request(prefix + Token(AccessRoles.Employee, AccessRoles.Approver)));

        Assert.Null(error);
        Assert.NotNull(principal);
        Assert.Equal(TestTokens.Tenant, principal.TenantId);
        Assert.Equal("person:1", principal.Subject);
        Assert.True(principal.Roles.SetEquals([AccessRoles.Employee, AccessRoles.Approver]));
        Assert.Equal(TestTokens.Person, principal.PersonId);
    }

    [Fact]
    public async Task Grpc_metadata_authorization_is_the_same_header()
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/grpc";
        context.Request.Headers["authorization"] = "Bearer " + Token(AccessRoles.Integration);

        var (principal, error) = await _authenticator.AuthenticateAsync(context.Request);

        Assert.Null(error);
        Assert.Equal([AccessRoles.Integration], principal!.Roles);
    }
}
