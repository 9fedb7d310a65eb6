using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Interop;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// The gateway in the whole topology: every call goes through its gRPC or HTTP port with a token the AppHost's key
/// signed, and reaches the real services, Postgres and Redis behind it.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class GatewayTests(DistributedAppFixture fixture)
{
    private static readonly DateTimeOffset MondayNine = new(2026, 3, 2, 9, 0, 0, Punches.Shanghai);

    private async Task<TopologyCallers> GatewayAsync()
    {
        await fixture.App.WaitHealthyAsync("gateway", TimeSpan.FromSeconds(90));
        return new TopologyCallers(fixture.App, fixture.DataDirectory);
    }

    private static SubmitPunchRequest ManualPunch(Guid person, DateTimeOffset at, PunchType type = PunchType.In,
        SourceProvider provider = SourceProvider.Manual) => new()
    {
        Punch = new PunchInput
        {
            PersonUuid = person.ToString(),
            PunchTime = Timestamp.FromDateTimeOffset(at),
            PunchType = type,
            SourceProvider = provider,
            SourceEventId = provider == SourceProvider.Manual ? "" : Guid.NewGuid().ToString("N"),
            RequestId = Guid.NewGuid().ToString(),
        },
    };

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    [Fact]
    public async Task Punches_of_unknown_or_deactivated_persons_are_refused_through_the_gateway_and_a_retry_stays_a_duplicate()
    {
        var gateway = await GatewayAsync();
        var tenant = Guid.NewGuid();
        var admin = TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.TenantAdmin));
        using var channel = gateway.Channel();
        var ledger = new PunchLedgerClient(channel);
        var person = await gateway.NewPersonAsync(channel, tenant);
        var personOfOtherTenant = await gateway.NewPersonAsync(channel, Guid.NewGuid());
        var recorded = ManualPunch(person, MondayNine);
        var first = await ledger.SubmitPunchAsync(recorded, admin);

        foreach (var stranger in new[] { Guid.NewGuid(), personOfOtherTenant })
        {
            var unknown = await Assert.ThrowsAsync<RpcException>(async () => await ledger.SubmitPunchAsync(ManualPunch(stranger, MondayNine), admin));
            Assert.Equal(StatusCode.FailedPrecondition, unknown.StatusCode);
            Assert.StartsWith($"STAFFING_PERSON_UNKNOWN: person_uuid {stranger} ", unknown.Status.Detail);
        }

        await new IdentityMappingClient(channel).UpdatePersonAsync(new() { PersonUuid = person.ToString(), Active = false }, admin);
        var inactive = await Assert.ThrowsAsync<RpcException>(async () =>
            await ledger.SubmitPunchAsync(ManualPunch(person, MondayNine.AddHours(9), PunchType.Out), admin));
        Assert.Equal(StatusCode.FailedPrecondition, inactive.StatusCode);
        Assert.StartsWith($"STAFFING_PERSON_INACTIVE: person_uuid {person} ", inactive.Status.Detail);
        var batch = await ledger.SubmitPunchesAsync(new() { Punches = { ManualPunch(person, MondayNine.AddHours(9), PunchType.Out).Punch } }, admin);
        Assert.Equal(("STAFFING_PERSON_INACTIVE", PunchOutcomeKind.Rejected), (batch.Outcomes[0].ErrorCode, batch.Outcomes[0].Outcome));

        var retry = await ledger.SubmitPunchAsync(recorded, admin);
        Assert.Equal((true, first.EventId), (retry.Duplicate, retry.EventId));
        using var listed = ledger.ListPunches(new() { PersonUuid = person.ToString(), FromDate = "2026-03-02", ToDate = "2026-03-02" }, admin);
        Assert.Single(await listed.ResponseStream.ReadAllAsync().ToListAsync());
    }

    [Fact]
    public async Task Tenant_B_never_sees_tenant_A_persons_links_punches_or_results()
    {
        var gateway = await GatewayAsync();
        Guid tenantA = Guid.NewGuid(), tenantB = Guid.NewGuid();
        var adminA = TopologyCallers.Bearer(gateway.Token(tenantA, AccessRoles.TenantAdmin));
        var adminB = TopologyCallers.Bearer(gateway.Token(tenantB, AccessRoles.TenantAdmin));
        using var channel = gateway.Channel();
        var identity = new IdentityMappingClient(channel);
        var ledger = new PunchLedgerClient(channel);
        var results = new DailyResultsClient(channel);

        var person = await identity.CreatePersonAsync(new() { EmployeeNumber = "GW-1", DisplayName = "李四" }, adminA);
        await identity.LinkIdentityAsync(new() { Provider = IdentityProvider.Dingtalk, ExternalUserId = "gw-user-1", PersonUuid = person.PersonUuid }, adminA);
        var personId = Guid.Parse(person.PersonUuid);
        await ledger.SubmitPunchAsync(ManualPunch(personId, MondayNine), adminA);

        // Tenant A sees its own data (the control), tenant B sees none of it.
        Assert.Contains((await identity.ListPersonsAsync(new(), adminA)).Persons, p => p.PersonUuid == person.PersonUuid);
        Assert.DoesNotContain((await identity.ListPersonsAsync(new(), adminB)).Persons, p => p.PersonUuid == person.PersonUuid);
        var resolvedByB = await identity.ResolveIdentitiesAsync(new() { Provider = IdentityProvider.Dingtalk, ExternalUserIds = { "gw-user-1" } }, adminB);
        Assert.Equal("", Assert.Single(resolvedByB.Results).PersonUuid);
        Assert.Single((await results.ListDailyResultsAsync(new() { PersonUuid = person.PersonUuid, FromDate = "2026-03-02", ToDate = "2026-03-02" }, adminA)).Results);
        Assert.Empty((await results.ListDailyResultsAsync(new() { PersonUuid = person.PersonUuid, FromDate = "2026-03-02", ToDate = "2026-03-02" }, adminB)).Results);
        Assert.Equal(StatusCode.NotFound, await StatusOfAsync(async () => await results.GetDailyResultAsync(new() { PersonUuid = person.PersonUuid, WorkDate = "2026-03-02" }, adminB)));

        using var punchesOfA = ledger.ListPunches(new() { PersonUuid = person.PersonUuid, FromDate = "2026-03-01", ToDate = "2026-03-03" }, adminA);
        Assert.Single(await punchesOfA.ResponseStream.ReadAllAsync().ToListAsync());
        using var punchesSeenByB = ledger.ListPunches(new() { PersonUuid = person.PersonUuid, FromDate = "2026-03-01", ToDate = "2026-03-03" }, adminB);
        Assert.Empty(await punchesSeenByB.ResponseStream.ReadAllAsync().ToListAsync());
    }

    [Fact]
    public async Task A_tenant_header_sent_by_the_client_is_replaced_by_the_tokens_tenant()
    {
        var gateway = await GatewayAsync();
        Guid tenantA = Guid.NewGuid(), tenantB = Guid.NewGuid();
        using var channel = gateway.Channel();
        var identity = new IdentityMappingClient(channel);
        var person = await identity.CreatePersonAsync(new() { EmployeeNumber = "GW-2", DisplayName = "A's person" },
            TopologyCallers.Bearer(gateway.Token(tenantA, AccessRoles.TenantAdmin)));

        // B's token, with A's tenant (and a forged principal and role) in the metadata: still B's view.
        var forged = TopologyCallers.Bearer(gateway.Token(tenantB, AccessRoles.TenantAdmin),
            ("x-tenant-id", tenantA.ToString()), ("x-principal-id", "someone-else"), ("x-roles", "tenant-admin"));
        var seen = await identity.ListPersonsAsync(new(), forged);
        Assert.DoesNotContain(seen.Persons, p => p.PersonUuid == person.PersonUuid);

        // Over HTTP too: the header is dropped, the token's tenant is used.
        using var http = gateway.Http();
        using var request = TopologyCallers.Get($"/api/identity/unmapped", gateway.Token(tenantB, AccessRoles.TenantAdmin));
        request.Headers.Add("x-tenant-id", "not-a-uuid");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Each_role_reaches_what_the_access_table_allows_and_is_refused_the_rest()
    {
        var gateway = await GatewayAsync();
        var tenant = Guid.NewGuid();
        using var channel = gateway.Channel();
        var identity = new IdentityMappingClient(channel);
        var ledger = new PunchLedgerClient(channel);
        var results = new DailyResultsClient(channel);
        var admin = TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.TenantAdmin));
        var me = Guid.Parse((await identity.CreatePersonAsync(new() { EmployeeNumber = "GW-3", DisplayName = "Me" }, admin)).PersonUuid);
        var colleague = Guid.Parse((await identity.CreatePersonAsync(new() { EmployeeNumber = "GW-4", DisplayName = "Colleague" }, admin)).PersonUuid);

        var employee = TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.Employee, me));
        Assert.Equal(StatusCode.OK, await StatusOfAsync(async () => await ledger.SubmitPunchAsync(ManualPunch(me, MondayNine), employee)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await ledger.SubmitPunchAsync(ManualPunch(colleague, MondayNine), employee)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await ledger.SubmitPunchAsync(ManualPunch(me, MondayNine, provider: SourceProvider.Dingtalk), employee)));
        Assert.Equal(StatusCode.OK, await StatusOfAsync(async () => await results.GetDailyResultAsync(new() { PersonUuid = me.ToString(), WorkDate = "2026-03-02" }, employee)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await results.ListDailyResultsAsync(new() { PersonUuid = colleague.ToString() }, employee)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await identity.ListPersonsAsync(new(), employee)));
        // gzip-compressed requests are inflated for the own-person check and reach the service as sent.
        // (Grpc.Net.Client compresses the request message when this call header names the encoding.)
        var gzipHeaders = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        foreach (var entry in employee.Headers!) gzipHeaders.Add(entry);
        var employeeGzip = employee.WithHeaders(gzipHeaders);
        Assert.Equal(StatusCode.OK, await StatusOfAsync(async () => await ledger.SubmitPunchAsync(ManualPunch(me, MondayNine.AddHours(9), PunchType.Out), employeeGzip)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await ledger.SubmitPunchAsync(ManualPunch(colleague, MondayNine), employeeGzip)));

        var approver = TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.Approver));
        Assert.Equal(StatusCode.OK, await StatusOfAsync(async () => await results.ListDailyResultsAsync(new() { PersonUuid = colleague.ToString() }, approver)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await ledger.SubmitPunchAsync(ManualPunch(colleague, MondayNine), approver)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await identity.CreatePersonAsync(new() { EmployeeNumber = "X", DisplayName = "X" }, approver)));

        var integration = TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.Integration));
        Assert.Equal(StatusCode.OK, await StatusOfAsync(async () => await ledger.SubmitPunchAsync(ManualPunch(colleague, MondayNine.AddHours(9), PunchType.Out, SourceProvider.Wecom), integration)));
        Assert.Equal(StatusCode.OK, await StatusOfAsync(async () => await identity.ResolveIdentitiesAsync(new() { Provider = IdentityProvider.Wecom, ExternalUserIds = { "nobody" } }, integration)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await results.ListDailyResultsAsync(new() { PersonUuid = colleague.ToString() }, integration)));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () => await identity.LinkIdentityAsync(new() { Provider = IdentityProvider.Wecom, ExternalUserId = "nobody", PersonUuid = colleague.ToString() }, integration)));

        // The JSON route applies the same table, with a stable code in the problem details.
        using var http = gateway.Http();
        using var own = await http.SendAsync(TopologyCallers.Get($"/api/daily-results?person_uuid={me}&from_date=2026-03-02&to_date=2026-03-02", gateway.Token(tenant, AccessRoles.Employee, me)));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var other = await http.SendAsync(TopologyCallers.Get($"/api/daily-results?person_uuid={colleague}", gateway.Token(tenant, AccessRoles.Employee, me)));
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal("GATEWAY_FORBIDDEN", JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task One_TLS_listener_serves_gRPC_over_HTTP2_and_JSON_over_HTTP1_and_HTTP2()
    {
        var gateway = await GatewayAsync();
        var tls = fixture.GatewayTls;
        var tenant = Guid.NewGuid();
        var admin = gateway.Token(tenant, AccessRoles.TenantAdmin);

        // gRPC on the TLS port (HTTP/2 chosen by ALPN): a write, a read, and a refusal with its status intact.
        using (var channel = GrpcChannel.ForAddress(tls.Address, new GrpcChannelOptions { HttpHandler = tls.TrustingHandler() }))
        {
            var identity = new IdentityMappingClient(channel);
            var person = await identity.CreatePersonAsync(new() { EmployeeNumber = "TLS-1", DisplayName = "王五" }, TopologyCallers.Bearer(admin));
            Assert.Contains((await identity.ListPersonsAsync(new(), TopologyCallers.Bearer(admin))).Persons, p => p.PersonUuid == person.PersonUuid);
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await identity.ListPersonsAsync(new(), TopologyCallers.Bearer(null)));
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }

        // JSON on the same port, over either HTTP version.
        using var http = new HttpClient(tls.TrustingHandler()) { BaseAddress = tls.Address };
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var request = TopologyCallers.Get($"/api/daily-results?person_uuid={Guid.NewGuid()}&from_date=2026-03-02&to_date=2026-03-02", admin);
            request.Version = version;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(version, response.Version);
            Assert.Equal(tenant.ToString(), JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("tenant").GetString());
        }

        // A client that does not trust the certificate never gets through the handshake.
        using var untrusting = new HttpClient { BaseAddress = tls.Address };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync("/api/daily-results"));
    }

    [Fact]
    public async Task Missing_expired_and_foreign_tokens_are_refused_with_401_and_UNAUTHENTICATED()
    {
        var gateway = await GatewayAsync();
        var tenant = Guid.NewGuid();
        var claims = new AccessTokenClaims(tenant, "someone", [AccessRoles.TenantAdmin]);
        var expired = new AccessTokenIssuer(gateway.Settings, new ShiftedTime(TimeSpan.FromHours(-2))).Issue(claims, TimeSpan.FromMinutes(5));
        var foreignKey = new AccessTokenIssuer(new AccessTokenSettings
        {
            Issuer = gateway.Settings.Issuer, Audience = gateway.Settings.Audience, SigningKey = new byte[32],
        }).Issue(claims, TimeSpan.FromMinutes(5));

        using var http = gateway.Http();
        foreach (var (token, code) in new (string?, string)[] { (null, "GATEWAY_UNAUTHENTICATED"), (expired, "GATEWAY_TOKEN_EXPIRED"), (foreignKey, "GATEWAY_TOKEN_INVALID") })
        {
            using var response = await http.SendAsync(TopologyCallers.Get($"/api/daily-results?person_uuid={Guid.NewGuid()}", token));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        }

        using var channel = gateway.Channel();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new IdentityMappingClient(channel).ListPersonsAsync(new(), TopologyCallers.Bearer(expired)));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith("GATEWAY_TOKEN_EXPIRED", error.Status.Detail);
    }

    [Fact]
    public async Task Over_the_limit_a_caller_gets_429_with_Retry_After_and_is_served_again_after_the_refill()
    {
        var gateway = await GatewayAsync();
        // This tenant's callers get 3 requests, refilled at 1/s (DistributedAppFixture); a fresh subject has a full bucket.
        var token = gateway.Token(DistributedAppFixture.RateLimitedTenant, AccessRoles.TenantAdmin);
        using var http = gateway.Http();
        var path = $"/api/daily-results?person_uuid={Guid.NewGuid()}";

        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var i = 0; i < 6 && retryAfter is null; i++)
        {
            using var response = await http.SendAsync(TopologyCallers.Get(path, token));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                retryAfter = response.Headers.RetryAfter?.Delta;
                Assert.Equal("GATEWAY_RATE_LIMITED", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
            }
        }
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 2, $"the burst was served first: {string.Join(", ", statuses)}");
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        // gRPC callers get RESOURCE_EXHAUSTED from the same bucket (which may have refilled by a token or two
        // meanwhile on a slow machine: a few calls in a row empty it again).
        using var channel = gateway.Channel();
        var grpcStatuses = new List<StatusCode>();
        for (var i = 0; i < 6 && !grpcStatuses.Contains(StatusCode.ResourceExhausted); i++)
        {
            grpcStatuses.Add(await StatusOfAsync(async () => await new DailyResultsClient(channel).ListDailyResultsAsync(
                new() { PersonUuid = Guid.NewGuid().ToString() }, TopologyCallers.Bearer(token))));
        }
        Assert.Equal(StatusCode.ResourceExhausted, grpcStatuses[^1]);
        Assert.All(grpcStatuses[..^1], s => Assert.Equal(StatusCode.OK, s));

        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(200));
        using var again = await http.SendAsync(TopologyCallers.Get(path, token));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_grpc_js_client_calls_through_the_gateway_unary_streaming_and_errors()
    {
        var gateway = await GatewayAsync();
        await NodeInterop.EnsureInstalledAsync();
        var tenant = Guid.NewGuid();
        Guid person;
        using (var channel = gateway.Channel())
            person = await gateway.NewPersonAsync(channel, tenant);
        var token = gateway.Token(tenant, AccessRoles.TenantAdmin);
        var address = $"127.0.0.1:{fixture.App.GetEndpoint("gateway", "grpc").Port}";
        var proto = Path.Combine(NodeInterop.RepoRoot, "contracts", "protos", "attendance", "ledger", "v1", "punch_ledger.proto");
        var metadata = new Dictionary<string, string> { ["authorization"] = $"Bearer {token}" };

        var submitted = await NodeInterop.CallAsync(new NodeCall(proto, address, "attendance.ledger.v1.PunchLedger/SubmitPunch",
            JsonSerializer.Serialize(new { punch = new { person_uuid = person.ToString(), punch_time = new { seconds = MondayNine.ToUnixTimeSeconds().ToString() }, punch_type = "PUNCH_TYPE_IN", source_provider = "SOURCE_PROVIDER_MANUAL", request_id = Guid.NewGuid().ToString() } }))
        { Metadata = metadata });
        Assert.Equal(0, submitted.Status.Code);
        Assert.Single(submitted.Messages);

        var listed = await NodeInterop.CallAsync(new NodeCall(proto, address, "attendance.ledger.v1.PunchLedger/ListPunches",
            JsonSerializer.Serialize(new { person_uuid = person.ToString(), from_date = "2026-03-01", to_date = "2026-03-03" }))
        { Metadata = metadata });
        Assert.Equal(0, listed.Status.Code);
        Assert.Single(listed.Messages);

        // The service's error, with its Unicode message, crosses the gateway intact in the trailers.
        var invalid = await NodeInterop.CallAsync(new NodeCall(proto, address, "attendance.ledger.v1.PunchLedger/SubmitPunch",
            JsonSerializer.Serialize(new { punch = new { person_uuid = "员工-7", punch_type = "PUNCH_TYPE_IN", source_provider = "SOURCE_PROVIDER_MANUAL", request_id = Guid.NewGuid().ToString() } }))
        { Metadata = metadata });
        Assert.Equal((int)StatusCode.InvalidArgument, invalid.Status.Code);
        Assert.Contains("STAFFING_INVALID_ARGUMENT", invalid.Status.Details);
        Assert.Contains("员工-7", invalid.Status.Details);

        // And the gateway's own refusal is a status grpc-js understands.
        var anonymous = await NodeInterop.CallAsync(new NodeCall(proto, address, "attendance.ledger.v1.PunchLedger/SubmitPunch", "{}"));
        Assert.Equal((int)StatusCode.Unauthenticated, anonymous.Status.Code);
        Assert.StartsWith("GATEWAY_UNAUTHENTICATED", anonymous.Status.Details);
    }

    [Fact]
    public async Task The_gateway_span_is_the_parent_of_the_service_span_and_Npgsql_is_in_the_same_trace()
    {
        var gateway = await GatewayAsync();
        var tenant = Guid.NewGuid();
        var traceId = ActivityTraceId.CreateRandom();
        using var channel = gateway.Channel();
        var person = await gateway.NewPersonAsync(channel, tenant);

        await new PunchLedgerClient(channel).SubmitPunchAsync(ManualPunch(person, MondayNine),
            TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.TenantAdmin),
                ("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01")));

        var spans = await fixture.Telemetry.WaitForTraceAsync(traceId.ToHexString(),
            t => t.Any(s => s.IsServer && s.Service == "gateway") && t.Any(s => s.IsServer && s.Service == "punch-ledger")
                 && t.Any(s => s.Scope == "Npgsql"),
            TimeSpan.FromSeconds(30));

        var service = spans.First(s => s.IsServer && s.Service == "punch-ledger");
        var parent = spans.Single(s => s.SpanId == service.ParentSpanId);
        Assert.Equal("gateway", parent.Service);
        Assert.Contains(spans, s => s.Service == "gateway" && s.IsServer && (parent.ParentSpanId == s.SpanId || parent.SpanId == s.SpanId));
        Assert.Contains(spans, s => s.Scope == "Npgsql" && s.Service == "punch-ledger" && s.ParentSpanId is not null);
    }

    [Fact]
    public async Task Daily_results_JSON_through_the_gateway_has_the_seed_shape()
    {
        var gateway = await GatewayAsync();
        var tenant = Guid.NewGuid();
        var token = gateway.Token(tenant, AccessRoles.TenantAdmin);
        Guid person;
        using (var channel = gateway.Channel())
        {
            person = await gateway.NewPersonAsync(channel, tenant);
            await new PunchLedgerClient(channel).SubmitPunchAsync(ManualPunch(person, MondayNine.AddMinutes(10)), TopologyCallers.Bearer(token));
        }

        using var http = gateway.Http();
        using var response = await http.SendAsync(TopologyCallers.Get($"/api/daily-results?person_uuid={person}&from_date=2026-03-02&to_date=2026-03-02", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["tenant", "person_uuid", "from_date", "to_date", "results"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(tenant.ToString(), root.GetProperty("tenant").GetString());
        var day = Assert.Single(root.GetProperty("results").EnumerateArray().ToList());
        Assert.Equal(
            ["work_date", "status", "flags", "first_in_time", "last_out_time", "worked_minutes", "late_minutes", "early_leave_minutes",
             "ruleset_version", "computed_at", "input_punch_count", "input_max_punch_event_db_id", "input_max_punch_time"],
            day.EnumerateObject().Select(p => p.Name));
        Assert.Equal(5, day.GetProperty("late_minutes").GetInt32()); // 09:10 with a 5-minute tolerance (seed 004 §9.2: 6 minutes late is late by 1)
        Assert.Equal(["LATE", "MISSING_OUT"], day.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task Link_conflicts_and_the_unmapped_queue_work_through_the_gateway()
    {
        var gateway = await GatewayAsync();
        var tenant = Guid.NewGuid();
        var admin = TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.TenantAdmin));
        using var channel = gateway.Channel();
        var identity = new IdentityMappingClient(channel);
        var first = await identity.CreatePersonAsync(new() { EmployeeNumber = "GW-5", DisplayName = "First" }, admin);
        var second = await identity.CreatePersonAsync(new() { EmployeeNumber = "GW-6", DisplayName = "Second" }, admin);
        await identity.LinkIdentityAsync(new() { Provider = IdentityProvider.Wecom, ExternalUserId = "wx-1", PersonUuid = first.PersonUuid }, admin);

        var conflict = await Assert.ThrowsAsync<RpcException>(async () => await identity.LinkIdentityAsync(
            new() { Provider = IdentityProvider.Wecom, ExternalUserId = "wx-1", PersonUuid = second.PersonUuid }, admin));
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);
        Assert.Contains("IDENTITY_LINK_EXISTS", conflict.Status.Detail);

        // A connector resolves an unknown id and records it; the admin sees it queued; an approver may not look.
        await identity.ResolveIdentitiesAsync(new() { Provider = IdentityProvider.Wecom, ExternalUserIds = { "wx-unknown" }, RecordUnmapped = true },
            TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.Integration)));
        var queue = await identity.ListUnmappedAsync(new(), admin);
        Assert.Contains(queue.Identities, u => u.ExternalUserId == "wx-unknown");
        Assert.Equal(StatusCode.PermissionDenied, await StatusOfAsync(async () =>
            await identity.ListUnmappedAsync(new(), TopologyCallers.Bearer(gateway.Token(tenant, AccessRoles.Approver)))));
    }

    /// <summary>The system clock moved by a fixed offset (to issue tokens that are already expired).</summary>
    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
