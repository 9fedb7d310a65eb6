using HrmsAttendance.Tokens;
using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.Gateway.Tests.Tokens;

public sealed class AccessTokenTests
{
    private const string Expired = "GATEWAY_TOKEN_EXPIRED";
    private const string Invalid = "GATEWAY_TOKEN_INVALID";

    private readonly ManualTimeProvider _clock = new(TestTokens.Start);
    private readonly AccessTokenSettings _settings = TestTokens.Settings();

    private AccessTokenValidator Validator(AccessTokenSettings? settings = null) => new(settings ?? _settings, _clock);

    private string Issue(AccessTokenClaims claims, TimeSpan? lifetime = null, AccessTokenSettings? settings = null) =>
        new AccessTokenIssuer(settings ?? _settings, _clock).Issue(claims, lifetime ?? TimeSpan.FromMinutes(10));

    private static AccessTokenClaims Claims(params string[] roles) =>
        new(TestTokens.Tenant, "user-1", roles.Length == 0 ? [AccessRoles.Approver] : roles);

    [Fact]
    public async Task Round_trip_keeps_every_claim()
    {
        var claims = new AccessTokenClaims(TestTokens.Tenant, "person:42", [AccessRoles.Employee, AccessRoles.Approver], TestTokens.Person);

        var outcome = await Validator().ValidateAsync(Issue(claims));

        Assert.True(outcome.IsValid, outcome.ErrorDetail);
        Assert.Null(outcome.ErrorCode);
        Assert.Equal(TestTokens.Tenant, outcome.Claims!.TenantId);
        Assert.Equal("person:42", outcome.Claims.Subject);
        Assert.Equal([AccessRoles.Employee, AccessRoles.Approver], outcome.Claims.Roles);
        Assert.Equal(TestTokens.Person, outcome.Claims.PersonId);
    }

    [Fact]
    public async Task Round_trip_without_person()
    {
        var outcome = await Validator().ValidateAsync(Issue(Claims(AccessRoles.Integration)));

        Assert.True(outcome.IsValid, outcome.ErrorDetail);
        Assert.Null(outcome.Claims!.PersonId);
        Assert.Equal([AccessRoles.Integration], outcome.Claims.Roles);
    }

    [Fact]
    public void Issued_token_has_the_registered_claims_and_roles_as_an_array()
    {
        var token = Issue(new AccessTokenClaims(TestTokens.Tenant, "user-1", [AccessRoles.Employee], TestTokens.Person), TimeSpan.FromMinutes(5));

        using var payload = TestTokens.DecodePayload(token);
        var root = payload.RootElement;
        Assert.Equal("test-issuer", root.GetProperty("iss").GetString());
        Assert.Equal("test-audience", root.GetProperty("aud").GetString());
        var now = TestTokens.Start.ToUnixTimeSeconds();
        Assert.Equal(now, root.GetProperty("iat").GetInt64());
        Assert.Equal(now, root.GetProperty("nbf").GetInt64());
        Assert.Equal(now + 300, root.GetProperty("exp").GetInt64());
        Assert.True(Guid.TryParse(root.GetProperty("jti").GetString(), out _));
        Assert.Equal(TestTokens.Tenant.ToString("D"), root.GetProperty("tenant_id").GetString());
        Assert.Equal("user-1", root.GetProperty("sub").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Array, root.GetProperty("roles").ValueKind);
        Assert.Equal(["employee"], root.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(TestTokens.Person.ToString("D"), root.GetProperty("person_id").GetString());

        using var header = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(Pad(token.Split('.')[0])));
        Assert.Equal("HS256", header.RootElement.GetProperty("alg").GetString());

        static string Pad(string s) => s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }

    [Fact]
    public async Task Expired_once_exp_plus_skew_has_passed()
    {
        var token = Issue(Claims(), TimeSpan.FromMinutes(10));
        var validator = Validator();

        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(29));
        Assert.True((await validator.ValidateAsync(token)).IsValid, "within the clock skew");

        _clock.Advance(TimeSpan.FromSeconds(2));
        var outcome = await validator.ValidateAsync(token);
        Assert.False(outcome.IsValid);
        Assert.Equal(Expired, outcome.ErrorCode);
    }

    [Fact]
    public async Task Not_yet_valid_is_expired_too()
    {
        var issuerClock = new ManualTimeProvider(TestTokens.Start + TimeSpan.FromMinutes(5));
        var token = new AccessTokenIssuer(_settings, issuerClock).Issue(Claims(), TimeSpan.FromMinutes(10));

        var outcome = await Validator().ValidateAsync(token);

        Assert.Equal(Expired, outcome.ErrorCode);
        Assert.Contains("not valid before", outcome.ErrorDetail);
    }

    [Fact]
    public async Task Wrong_signing_key_is_invalid()
    {
        var token = Issue(Claims(), settings: TestTokens.Settings(TestTokens.Key(fill: 99)));

        var outcome = await Validator().ValidateAsync(token);

        Assert.Equal(Invalid, outcome.ErrorCode);
        Assert.Contains("signature", outcome.ErrorDetail);
    }

    [Fact]
    public async Task Wrong_issuer_is_invalid()
    {
        var token = Issue(Claims(), settings: TestTokens.Settings(issuer: "someone-else"));

        var outcome = await Validator().ValidateAsync(token);

        Assert.Equal(Invalid, outcome.ErrorCode);
        Assert.Contains("issuer", outcome.ErrorDetail);
    }

    [Fact]
    public async Task Wrong_audience_is_invalid()
    {
        var token = Issue(Claims(), settings: TestTokens.Settings(audience: "another-system"));

        var outcome = await Validator().ValidateAsync(token);

        Assert.Equal(Invalid, outcome.ErrorCode);
        Assert.Contains("audience", outcome.ErrorDetail);
    }

    [Fact]
    public async Task Hand_signed_token_is_accepted_so_the_refusals_below_are_about_the_one_spoiled_claim()
    {
        var outcome = await Validator().ValidateAsync(TestTokens.Sign(TestTokens.ValidPayload(), _settings.SigningKey));

        Assert.True(outcome.IsValid, outcome.ErrorDetail);
    }

    [Fact]
    public async Task Alg_none_is_invalid()
    {
        var payload = TestTokens.ValidPayload();
        payload["roles"] = new[] { AccessRoles.TenantAdmin };

        var outcome = await Validator().ValidateAsync(TestTokens.Unsigned(payload));

        Assert.False(outcome.IsValid);
        Assert.Equal(Invalid, outcome.ErrorCode);
    }

    [Fact]
    public async Task Another_hmac_algorithm_with_the_right_key_is_invalid()
    {
        var outcome = await Validator().ValidateAsync(TestTokens.Sign(TestTokens.ValidPayload(), _settings.SigningKey, alg: "HS512"));

        Assert.Equal(Invalid, outcome.ErrorCode);
    }

    [Fact]
    public async Task Tampered_payload_is_invalid()
    {
        var parts = Issue(Claims(AccessRoles.Employee) with { PersonId = TestTokens.Person }).Split('.');
        using var original = TestTokens.DecodePayload(string.Join('.', parts));
        var payload = original.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        payload["roles"] = new[] { AccessRoles.TenantAdmin };
        var tampered = $"{parts[0]}.{TestTokens.Segment(payload)}.{parts[2]}";

        var outcome = await Validator().ValidateAsync(tampered);

        Assert.Equal(Invalid, outcome.ErrorCode);
        Assert.Contains("signature", outcome.ErrorDetail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln")]
    public async Task Malformed_token_is_invalid(string token)
    {
        var outcome = await Validator().ValidateAsync(token);

        Assert.Equal(Invalid, outcome.ErrorCode);
    }

    public static TheoryData<string, object?> SpoiledClaims => new()
    {
        { "tenant_id", null },                                      // missing
        { "tenant_id", "acme" },                                    // not a UUID
        { "tenant_id", "00000000-0000-0000-0000-000000000000" },    // the empty UUID
        { "tenant_id", "7d0c8e5e2f7a4a869d532b1f0c6a9e11" },        // not canonical
        { "tenant_id", "{7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11}" },  // not canonical
        { "tenant_id", 42 },
        { "sub", null },
        { "sub", "" },
        { "sub", new string('s', 201) },                            // services record it: at most 200 characters
        { "sub", "admin\n1" },                                      // and no control characters
        { "roles", null },
        { "roles", new string[0] },
        { "roles", new[] { "superuser" } },
        { "roles", new[] { "approver", "Tenant-Admin" } },          // roles are exact
        { "roles", "approver" },                                    // not an array
        { "roles", new object[] { 1 } },
        { "person_id", "me" },
        { "person_id", "00000000-0000-0000-0000-000000000000" },
        { "person_id", 7 },
        { "exp", null },                                            // a token must expire
        { "iss", null },
        { "aud", null },
    };

    [Theory]
    [MemberData(nameof(SpoiledClaims))]
    public async Task Spoiled_claim_is_invalid(string claim, object? value)
    {
        var payload = TestTokens.ValidPayload();
        if (value is null) payload.Remove(claim);
        else payload[claim] = value;

        var outcome = await Validator().ValidateAsync(TestTokens.Sign(payload, _settings.SigningKey));

        Assert.False(outcome.IsValid);
        Assert.Equal(Invalid, outcome.ErrorCode);
        Assert.False(string.IsNullOrEmpty(outcome.ErrorDetail));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    public void Short_signing_key_is_refused_by_the_settings(int length)
    {
        var e = Assert.Throws<ArgumentException>(() => TestTokens.Settings(new byte[length]));

        Assert.Contains("at least 32", e.Message);
    }

    [Fact]
    public void Issuer_refuses_claims_the_validator_would_refuse()
    {
        var issuer = new AccessTokenIssuer(_settings, _clock);

        Assert.Throws<ArgumentException>(() => issuer.Issue(Claims("root"), TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentException>(() => issuer.Issue(new AccessTokenClaims(Guid.Empty, "s", [AccessRoles.Approver]), TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentException>(() => issuer.Issue(new AccessTokenClaims(TestTokens.Tenant, " ", [AccessRoles.Approver]), TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentException>(() => issuer.Issue(new AccessTokenClaims(TestTokens.Tenant, "s", []), TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentException>(() => issuer.Issue(new AccessTokenClaims(TestTokens.Tenant, new string('s', 201), [AccessRoles.Approver]), TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => issuer.Issue(Claims(), TimeSpan.Zero));
    }

    [Fact]
    public void Settings_from_configuration()
    {
        var key = TestTokens.Key();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Authentication:Jwt:Issuer"] = AccessTokenSettings.DevelopmentIssuer,
            ["Authentication:Jwt:Audience"] = AccessTokenSettings.DefaultAudience,
            ["Authentication:Jwt:SigningKey"] = Convert.ToBase64String(key),
        }).Build();

        var settings = AccessTokenSettings.FromConfiguration(configuration.GetSection("Authentication:Jwt"));

        Assert.Equal("hrms-attendance-apphost", settings.Issuer);
        Assert.Equal("hrms-attendance", settings.Audience);
        Assert.Equal(key, settings.SigningKey);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ClockSkew);
    }

    [Theory]
    [InlineData("Issuer")]
    [InlineData("Audience")]
    [InlineData("SigningKey")]
    public void Settings_from_configuration_name_the_missing_key(string missing)
    {
        var values = new Dictionary<string, string?>
        {
            ["Authentication:Jwt:Issuer"] = "i",
            ["Authentication:Jwt:Audience"] = "a",
            ["Authentication:Jwt:SigningKey"] = Convert.ToBase64String(TestTokens.Key()),
        };
        values.Remove($"Authentication:Jwt:{missing}");
        var section = new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Authentication:Jwt");

        var e = Assert.Throws<InvalidOperationException>(() => AccessTokenSettings.FromConfiguration(section));

        Assert.Contains($"Authentication:Jwt:{missing}", e.Message);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void Settings_from_configuration_refuse_a_bad_key(string signingKey)
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jwt:Issuer"] = "i",
            ["Jwt:Audience"] = "a",
            ["Jwt:SigningKey"] = signingKey,
        }).Build().GetSection("Jwt");

        var e = Assert.Throws<InvalidOperationException>(() => AccessTokenSettings.FromConfiguration(section));

        Assert.Contains("Jwt:SigningKey", e.Message);
    }
}
