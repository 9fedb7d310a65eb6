using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Contracts.Accounts.V1;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// Sign-in through the real topology (issue 14): the identity service's authorization code + PKCE flow for the
/// Development users, client credentials (one-tenant integration clients, and service clients naming the tenant per
/// request), wrong passwords, the gateway and the services accepting its RS256 tokens with
/// the same rules as the HS256 ones, the Accounts API, and the RLS of the new tables.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class SignInTests(DistributedAppFixture fixture)
{
    private const string Demo = "demo";
    private const string Password = "Passw0rd!";
    private static readonly Guid DemoTenant = IdentitySecrets.DemoTenant;

    private DistributedApplication App => fixture.App;

    [Fact]
    public async Task Employee_signs_in_with_code_and_pkce_and_reads_only_its_own_person_through_the_gateway()
    {
        using var flow = new OidcFlow(App);
        var tokens = await SignInAsync(flow, "employee");
        var (header, payload) = OidcFlow.Decode(tokens.GetProperty("access_token").GetString()!);

        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal(flow.Identity.AbsoluteUri, payload.GetProperty("iss").GetString());
        Assert.Equal(AccessTokenSettings.DefaultAudience, Audience(payload));
        Assert.Equal(DemoTenant.ToString("D"), payload.GetProperty("tenant_id").GetString());
        Assert.Equal(JsonValueKind.Array, payload.GetProperty("roles").ValueKind);
        Assert.Equal(["employee"], payload.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));
        Assert.True(payload.TryGetProperty("name", out _));
        Assert.True(payload.TryGetProperty("locale", out _));
        var own = Guid.Parse(payload.GetProperty("person_id").GetString()!);
        Assert.True(tokens.TryGetProperty("id_token", out _));
        Assert.True(tokens.TryGetProperty("refresh_token", out _));

        // Another demo person: employee2's (DEMO-3).
        using var flow2 = new OidcFlow(App);
        var other = Guid.Parse(OidcFlow.Decode((await SignInAsync(flow2, "employee2")).GetProperty("access_token").GetString()!).Payload.GetProperty("person_id").GetString()!);
        Assert.NotEqual(own, other);

        var access = tokens.GetProperty("access_token").GetString()!;
        using var http = App.CreateHttpClient("gateway", "http");
        using (var mine = await http.SendAsync(Get($"/api/daily-results?person_uuid={own:D}&from_date=2026-03-02&to_date=2026-03-02", access)))
            Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        using (var theirs = await http.SendAsync(Get($"/api/daily-results?person_uuid={other:D}&from_date=2026-03-02&to_date=2026-03-02", access)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, theirs.StatusCode);
            Assert.Contains("GATEWAY_FORBIDDEN", await theirs.Content.ReadAsStringAsync());
        }

        // The refresh token gives a new access token for the same user.
        using var refreshed = await flow.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()!,
            ["client_id"] = "hrms-web",
            ["client_secret"] = await flow.WebClientSecretAsync(),
        }));
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var again = JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(own.ToString("D"), OidcFlow.Decode(again.GetProperty("access_token").GetString()!).Payload.GetProperty("person_id").GetString());
    }

    [Fact]
    public async Task A_service_port_accepts_the_issuers_token_and_refuses_a_tampered_one()
    {
        using var flow = new OidcFlow(App);
        var access = (await SignInAsync(flow, "admin")).GetProperty("access_token").GetString()!;
        using var channel = App.CreateGrpcChannel("identity-mapping");
        var client = new IdentityMappingClient(channel);
        await client.ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(access));

        // The same payload with another signature: refused with the service's own code.
        var parts = access.Split('.');
        var tampered = $"{parts[0]}.{parts[1]}.{OidcFlow.Base64Url(new byte[256])}";
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(tampered)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.StartsWith("IDENTITY_TOKEN_INVALID", refused.Status.Detail);
    }

    [Fact]
    public async Task A_token_naming_the_issuer_but_signed_with_the_shared_hmac_key_is_refused()
    {
        // Whoever holds the HS256 key may mint tokens of the HS256 issuer only, never pass for the OpenID Connect issuer.
        var callers = new TopologyCallers(App, fixture.DataDirectory);
        using var flow = new OidcFlow(App);
        var forged = new AccessTokenIssuer(new AccessTokenSettings
        {
            Issuer = flow.Identity.AbsoluteUri, Audience = AccessTokenSettings.DefaultAudience, SigningKey = callers.Settings.SigningKey,
        }).Issue(new AccessTokenClaims(DemoTenant, "forged", [AccessRoles.TenantAdmin]), TimeSpan.FromMinutes(5));

        using var channel = App.CreateGrpcChannel("gateway");
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            new IdentityMappingClient(channel).ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(forged)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.StartsWith("GATEWAY_TOKEN_INVALID", refused.Status.Detail);

        using var direct = App.CreateGrpcChannel("identity-mapping");
        var refusedThere = await Assert.ThrowsAsync<RpcException>(() =>
            new IdentityMappingClient(direct).ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(forged)).ResponseAsync);
        Assert.StartsWith("IDENTITY_TOKEN_INVALID", refusedThere.Status.Detail);

        // The HS256 tokens of the AppHost's issuer still work beside the OpenID Connect ones.
        await new IdentityMappingClient(channel).ListPersonsAsync(new ListPersonsRequest(),
            TopologyCallers.Bearer(callers.Token(DemoTenant, AccessRoles.TenantAdmin)));
    }

    [Fact]
    public async Task After_a_key_rotation_the_issuer_signs_with_the_new_key_and_tokens_of_the_previous_one_stay_valid()
    {
        using var flow = new OidcFlow(App);
        // The JWKS publishes both keys: the current one and the previous one (found by its modulus).
        using var http = new HttpClient();
        var jwks = JsonDocument.Parse(await http.GetStringAsync(new Uri(flow.Identity, ".well-known/jwks"))).RootElement;
        var keys = jwks.GetProperty("keys").EnumerateArray().ToList();
        var kids = keys.Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Equal(2, kids.Count);
        var previousModulus = Base64UrlEncoder.Encode(DistributedAppFixture.PreviousSigningKey.ExportParameters(false).Modulus);
        var previousKid = Assert.Single(keys, k => k.GetProperty("n").GetString() == previousModulus).GetProperty("kid").GetString();

        // New tokens are signed with the current key, never the previous one.
        var (header, _) = OidcFlow.Decode((await SignInAsync(flow, "employee")).GetProperty("access_token").GetString()!);
        var currentKid = header.GetProperty("kid").GetString();
        Assert.Contains(currentKid, kids);
        Assert.NotEqual(previousKid, currentKid);

        // A token the previous key signed (before the rotation) passes the gateway and a service; one of an unknown key does not.
        var beforeRotation = SignedBy(flow, new RsaSecurityKey(DistributedAppFixture.PreviousSigningKey) { KeyId = previousKid });
        using var channel = App.CreateGrpcChannel("gateway");
        await new IdentityMappingClient(channel).ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(beforeRotation));
        using var direct = App.CreateGrpcChannel("identity-mapping");
        await new IdentityMappingClient(direct).ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(beforeRotation));

        using var stranger = System.Security.Cryptography.RSA.Create(2048);
        var unknown = SignedBy(flow, new RsaSecurityKey(stranger) { KeyId = previousKid });
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            new IdentityMappingClient(channel).ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(unknown)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.StartsWith("GATEWAY_TOKEN_INVALID", refused.Status.Detail);
    }

    /// <summary>An access token of the issuer's shape (claims as libs/Tokens reads them), RS256 with <paramref name="key"/>.</summary>
    private static string SignedBy(OidcFlow flow, RsaSecurityKey key) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = flow.Identity.AbsoluteUri,
            Audience = AccessTokenSettings.DefaultAudience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "user:rotated",
                ["tenant_id"] = DemoTenant.ToString("D"),
                ["roles"] = new[] { AccessRoles.TenantAdmin },
            },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

    [Fact]
    public async Task The_login_page_speaks_chinese_by_default_and_english_when_asked()
    {
        using var flow = new OidcFlow(App);
        using (var chinese = await flow.Client.GetAsync("/account/login?ReturnUrl=%2F"))
        {
            var html = await chinese.Content.ReadAsStringAsync();
            Assert.Contains("lang=\"zh-CN\"", html);
            Assert.Contains("组织代码", html);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login?ReturnUrl=%2F");
        request.Headers.AcceptLanguage.ParseAdd("en-GB,en;q=0.9");
        using var english = await flow.Client.SendAsync(request);
        var page = await english.Content.ReadAsStringAsync();
        Assert.Contains("lang=\"en\"", page);
        Assert.Contains("Organisation code", page);
        // Only a path of this host is a place to return to.
        using var offsite = await flow.Client.GetAsync("/account/login?ReturnUrl=https%3A%2F%2Fevil.example%2F");
        Assert.DoesNotContain("evil.example", await offsite.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_wrong_password_or_an_unknown_user_gets_the_same_clear_refusal_and_no_session()
    {
        foreach (var (tenant, user, password) in new[] { (Demo, "employee", "wrong-password"), (Demo, "nobody-here", Password), ("no-such-tenant", "employee", Password) })
        {
            using var flow = new OidcFlow(App);
            var page = await flow.StartAsync(OidcFlow.Base64Url(new byte[32]), "s");
            using var response = await flow.SubmitLoginAsync(page, tenant, user, password);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("data-error-code=\"ACCOUNTS_SIGN_IN_FAILED\"", body);
            Assert.DoesNotContain(password, body);
            Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("hrms.identity.session=", StringComparison.Ordinal)),
                "no session cookie after a refused sign-in");
        }
    }

    [Fact]
    public async Task Client_credentials_give_an_integration_token_of_the_clients_tenant()
    {
        using var flow = new OidcFlow(App);
        var secret = await flow.ParameterAsync(IdentitySecrets.DemoIntegrationSecretParameter);
        using (var wrong = await flow.ClientCredentialsAsync(IdentitySecrets.DemoIntegrationClientId, secret + "x"))
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var response = await flow.ClientCredentialsAsync(IdentitySecrets.DemoIntegrationClientId, secret);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var access = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
        var payload = OidcFlow.Decode(access).Payload;
        Assert.Equal(["integration"], payload.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));
        Assert.Equal("service:" + IdentitySecrets.DemoIntegrationClientId, payload.GetProperty("sub").GetString());
        Assert.Equal(DemoTenant.ToString("D"), payload.GetProperty("tenant_id").GetString());

        using var channel = App.CreateGrpcChannel("gateway");
        var client = new IdentityMappingClient(channel);
        await client.ResolveIdentitiesAsync(new ResolveIdentitiesRequest { Provider = IdentityProvider.Dingtalk, ExternalUserIds = { "nobody" } },
            TopologyCallers.Bearer(access));
        var denied = await Assert.ThrowsAsync<RpcException>(() => client.ListPersonsAsync(new ListPersonsRequest(), TopologyCallers.Bearer(access)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task A_service_client_gets_a_token_for_each_tenant_it_names_and_none_for_a_missing_malformed_or_unknown_one()
    {
        var callers = new TopologyCallers(App, fixture.DataDirectory);
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        await callers.RegisterTenantAsync(first);
        await callers.RegisterTenantAsync(second);
        using var flow = new OidcFlow(App);
        const string client = "dingtalk-connector";
        var secret = await flow.ParameterAsync(IdentitySecrets.ServiceClientSecretParameter(client));
        static KeyValuePair<string, string> Tenant(string value) => KeyValuePair.Create("tenant_id", value);

        using (var wrong = await flow.ClientCredentialsAsync(client, secret + "x", [Tenant(first.ToString("D"))]))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("invalid_client", (await OidcFlow.ErrorOfAsync(wrong)).Error);
        }
        var refusals = new (IEnumerable<KeyValuePair<string, string>> Parameters, string Error, string Says)[]
        {
            ([], "invalid_request", "tenant_id parameter is required"),
            ([Tenant("")], "invalid_request", "tenant_id parameter is required"),
            ([Tenant("not-a-uuid")], "invalid_request", "canonical UUID"),
            ([Tenant($"{{{first:D}}}")], "invalid_request", "canonical UUID"),
            ([Tenant($" {first:D} ")], "invalid_request", "canonical UUID"),
            ([Tenant(Guid.Empty.ToString("D"))], "invalid_request", "canonical UUID"),
            ([Tenant(first.ToString("D")), Tenant(second.ToString("D"))], "invalid_request", "canonical UUID"),
            ([Tenant(Guid.NewGuid().ToString("D"))], "invalid_target", "is not in the directory"),
        };
        foreach (var (parameters, error, says) in refusals)
        {
            using var refused = await flow.ClientCredentialsAsync(client, secret, parameters);
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{string.Join("&", parameters)} → {(int)refused.StatusCode} {body}");
            var (code, description) = await OidcFlow.ErrorOfAsync(refused);
            Assert.Equal(error, code);
            Assert.Contains(says, description);
            Assert.DoesNotContain("access_token", body);
        }

        // Each tenant it names gets its own token: RS256 from the issuer, role integration, sub service:<client id>.
        foreach (var tenant in new[] { first, second })
        {
            using var response = await flow.ClientCredentialsAsync(client, secret, [Tenant(tenant.ToString("D"))]);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            var access = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
            var (header, payload) = OidcFlow.Decode(access);
            Assert.Equal("RS256", header.GetProperty("alg").GetString());
            Assert.Equal(flow.Identity.AbsoluteUri, payload.GetProperty("iss").GetString());
            Assert.Equal(AccessTokenSettings.DefaultAudience, Audience(payload));
            Assert.Equal("service:" + client, payload.GetProperty("sub").GetString());
            Assert.Equal(tenant.ToString("D"), payload.GetProperty("tenant_id").GetString());
            Assert.Equal(["integration"], payload.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));

            // A service takes it as the tenant's integration caller.
            using var channel = App.CreateGrpcChannel("identity-mapping");
            await new IdentityMappingClient(channel).ResolveIdentitiesAsync(
                new ResolveIdentitiesRequest { Provider = IdentityProvider.Dingtalk, ExternalUserIds = { "nobody" } }, TopologyCallers.Bearer(access));
        }
    }

    [Fact]
    public async Task A_one_tenant_integration_client_may_name_its_own_tenant_but_never_another()
    {
        var callers = new TopologyCallers(App, fixture.DataDirectory);
        var other = Guid.NewGuid();
        await callers.RegisterTenantAsync(other);
        using var flow = new OidcFlow(App);
        var secret = await flow.ParameterAsync(IdentitySecrets.DemoIntegrationSecretParameter);

        foreach (var named in new[] { other.ToString("D"), Guid.NewGuid().ToString("D"), "not-a-uuid" })
        {
            using var refused = await flow.ClientCredentialsAsync(IdentitySecrets.DemoIntegrationClientId, secret, [KeyValuePair.Create("tenant_id", named)]);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var (error, description) = await OidcFlow.ErrorOfAsync(refused);
            Assert.Equal("invalid_target", error);
            Assert.Contains("its own tenant only", description);
        }

        using var own = await flow.ClientCredentialsAsync(IdentitySecrets.DemoIntegrationClientId, secret,
            [KeyValuePair.Create("tenant_id", DemoTenant.ToString("D"))]);
        var body = await own.Content.ReadAsStringAsync();
        Assert.True(own.IsSuccessStatusCode, body);
        var payload = OidcFlow.Decode(JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!).Payload;
        Assert.Equal(DemoTenant.ToString("D"), payload.GetProperty("tenant_id").GetString());
    }

    [Fact]
    public async Task A_tenants_signed_in_admin_never_sees_another_tenants_persons()
    {
        var callers = new TopologyCallers(App, fixture.DataDirectory);
        var otherTenant = Guid.NewGuid();
        using var channel = callers.Channel();
        var theirs = await callers.NewPersonAsync(channel, otherTenant);

        using var flow = new OidcFlow(App);
        var access = (await SignInAsync(flow, "admin")).GetProperty("access_token").GetString()!;
        var client = new IdentityMappingClient(channel);
        var seen = await client.ListPersonsAsync(new ListPersonsRequest { PageSize = 500 }, TopologyCallers.Bearer(access));
        Assert.Contains(seen.Persons, p => p.EmployeeNumber == "DEMO-1");
        Assert.DoesNotContain(seen.Persons, p => p.PersonUuid == theirs.ToString("D"));
    }

    [Fact]
    public async Task Admin_creates_a_user_sets_its_roles_and_the_history_says_who_while_an_employee_is_refused()
    {
        using var flow = new OidcFlow(App);
        var admin = (await SignInAsync(flow, "admin")).GetProperty("access_token").GetString()!;
        var adminSubject = OidcFlow.Decode(admin).Payload.GetProperty("sub").GetString();
        using var channel = App.CreateGrpcChannel("gateway");
        var accounts = new Accounts.AccountsClient(channel);

        var name = "user-" + Guid.NewGuid().ToString("N")[..12];
        var created = await accounts.CreateUserAsync(new CreateUserRequest
        {
            UserName = name, DisplayName = "测试 Test", Password = "another-Passw0rd", Roles = { AccessRoles.TenantAdmin },
        }, TopologyCallers.Bearer(admin));
        var taken = await Assert.ThrowsAsync<RpcException>(() => accounts.CreateUserAsync(new CreateUserRequest
        {
            UserName = name, DisplayName = "again", Password = "another-Passw0rd", Roles = { AccessRoles.TenantAdmin },
        }, TopologyCallers.Bearer(admin)).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, taken.StatusCode);
        Assert.StartsWith("ACCOUNTS_USER_NAME_TAKEN", taken.Status.Detail);
        var bad = await Assert.ThrowsAsync<RpcException>(() => accounts.CreateUserAsync(new CreateUserRequest
        {
            UserName = name + "-2", DisplayName = "x", Password = "another-Passw0rd", Roles = { "root" },
        }, TopologyCallers.Bearer(admin)).ResponseAsync);
        Assert.StartsWith("ACCOUNTS_INVALID_ARGUMENT", bad.Status.Detail);

        var updated = await accounts.SetUserRolesAsync(new SetUserRolesRequest { UserId = created.UserId, Roles = { AccessRoles.Approver } },
            TopologyCallers.Bearer(admin));
        Assert.Equal([AccessRoles.Approver], updated.Roles);

        // The new user signs in with its roles as they are now.
        using var newcomer = new OidcFlow(App);
        var newcomerTokens = await newcomer.SignInAsync(Demo, name, "another-Passw0rd");
        var token = newcomerTokens.GetProperty("access_token").GetString()!;
        Assert.Equal([AccessRoles.Approver], OidcFlow.Decode(token).Payload.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));

        await accounts.DeactivateUserAsync(new DeactivateUserRequest { UserId = created.UserId }, TopologyCallers.Bearer(admin));
        using var refused = new OidcFlow(App);
        using (var response = await refused.SubmitLoginAsync(await refused.StartAsync(OidcFlow.Base64Url(new byte[32]), "s"), Demo, name, "another-Passw0rd"))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // Nor does its refresh token give it a new access token.
        using (var refresh = await newcomer.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = newcomerTokens.GetProperty("refresh_token").GetString()!,
            ["client_id"] = "hrms-web",
            ["client_secret"] = await newcomer.WebClientSecretAsync(),
        })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
            Assert.Equal("invalid_grant", JsonDocument.Parse(await refresh.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }

        var history = await accounts.ListUserChangesAsync(new ListUserChangesRequest { UserId = created.UserId }, TopologyCallers.Bearer(admin));
        Assert.Equal(["created", "roles_set", "deactivated"], history.Changes.Select(c => c.Action));
        Assert.All(history.Changes, change => Assert.Equal(adminSubject, change.ChangedBy));
        Assert.DoesNotContain("password_hash", history.Changes[0].DetailsJson);
        // The same changes in the tenant's audit log (punch-ledger's AuditLog, every service's writes).
        var audit = await new HrmsAttendance.Contracts.Audit.V1.AuditLog.AuditLogClient(channel).ListAuditEntriesAsync(
            new() { Action = "user.", ObjectId = created.UserId, PageSize = 10 }, TopologyCallers.Bearer(admin));
        Assert.Equal(new[] { "user.created", "user.deactivated", "user.roles_set" }, audit.Entries.Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.All(audit.Entries, entry => Assert.Equal("identity", entry.Service));
        Assert.All(audit.Entries, entry => Assert.Equal(adminSubject, entry.Actor));

        using var employeeFlow = new OidcFlow(App);
        var employee = (await SignInAsync(employeeFlow, "employee")).GetProperty("access_token").GetString()!;
        var denied = await Assert.ThrowsAsync<RpcException>(() => accounts.ListUsersAsync(new ListUsersRequest(), TopologyCallers.Bearer(employee)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.StartsWith("GATEWAY_FORBIDDEN", denied.Status.Detail);
    }

    [Fact]
    public async Task The_users_and_their_history_are_under_rls_that_fails_closed_and_the_history_is_append_only()
    {
        using (var flow = new OidcFlow(App))
            await SignInAsync(flow, "employee"); // the Development seed has run
        await using var connection = new NpgsqlConnection(await App.GetConnectionStringAsync("attendance"));
        await connection.OpenAsync();

        async Task<T> AsServiceAsync<T>(Guid? tenant, string sql)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var role = new NpgsqlCommand("SET LOCAL ROLE identity_app", connection, transaction))
                await role.ExecuteNonQueryAsync();
            if (tenant is { } t)
                await using (var set = new NpgsqlCommand($"SELECT set_config('app.current_tenant', '{t:D}', true)", connection, transaction))
                    await set.ExecuteNonQueryAsync();
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            return (T)(await command.ExecuteScalarAsync())!;
        }

        foreach (var table in new[] { "identity.users", "identity.user_changes" })
        {
            var missing = await Assert.ThrowsAsync<PostgresException>(() => AsServiceAsync<long>(null, $"SELECT count(*) FROM {table}"));
            // app.current_tenant unset (42704), or left empty by an earlier transaction of this session (22P02): the policy raises.
            Assert.Contains(missing.SqlState, new[] { "42704", "22P02" });
            Assert.True(await AsServiceAsync<long>(DemoTenant, $"SELECT count(*) FROM {table}") >= 4);
            Assert.Equal(0L, await AsServiceAsync<long>(Guid.NewGuid(), $"SELECT count(*) FROM {table}"));
        }
        Assert.Equal(0L, await AsServiceAsync<long>(DemoTenant, $"SELECT count(*) FROM identity.users WHERE tenant_id <> '{DemoTenant:D}'"));

        foreach (var write in new[] { "UPDATE identity.user_changes SET action = 'updated'", "DELETE FROM identity.user_changes",
                     "INSERT INTO identity.user_changes (tenant_id, user_id, changed_by, action, details) SELECT tenant_id, user_id, 'me', 'updated', '{}' FROM identity.users LIMIT 1",
                     "DELETE FROM identity.users" })
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => AsServiceAsync<object>(DemoTenant, write));
            Assert.Equal("42501", denied.SqlState);
        }
    }

    /// <summary>The Development seed runs in the background after identity starts: sign in once it has.</summary>
    private async Task<JsonElement> SignInAsync(OidcFlow flow, string user)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await flow.SignInAsync(Demo, user, Password);
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new InvalidOperationException($"{user} could not sign in: {e.Message}{Environment.NewLine}identity's log:{Environment.NewLine}{await LogTailAsync("identity")}", e);
            }
        }
    }

    private async Task<string> LogTailAsync(string resource)
    {
        try
        {
            var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
            var model = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resource);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var lines = new List<string>();
            await foreach (var batch in loggers.GetAllAsync(model).WithCancellation(timeout.Token))
                lines.AddRange(batch.Select(line => line.Content));
            return string.Join(Environment.NewLine, lines.TakeLast(80));
        }
        catch (Exception e) { return $"(no logs: {e.Message})"; }
    }

    private static string Audience(JsonElement payload) =>
        payload.GetProperty("aud") is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Single().GetString()! : payload.GetProperty("aud").GetString()!;

    private static HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
