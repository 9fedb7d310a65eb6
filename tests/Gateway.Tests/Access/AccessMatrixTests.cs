using Google.Protobuf;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Audit.V1;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Accounts.V1;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using WeCom = HrmsAttendance.Contracts.Integrations.WeCom.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Tokens;
using static HrmsAttendance.Gateway.Tests.Access.AccessTestKit;

namespace HrmsAttendance.Gateway.Tests.Access;

/// <summary>
/// Every gRPC method and JSON route the gateway knows, for every role, against an expectation table written here
/// independently of <see cref="AccessPolicy"/>: adding an RPC without deciding (and writing down) its policy fails.
/// Each cell is tried with a request about the caller's own person and one about another person.
/// </summary>
public sealed class AccessMatrixTests
{
    // T = anything in the tenant; O = only the caller's own person; S = own person granted, but a client stream cannot
    // be checked, so denied; - = denied.
    internal static readonly string[] Roles = [AccessRoles.Employee, AccessRoles.Approver, AccessRoles.TenantAdmin, AccessRoles.Integration];

    internal static readonly Dictionary<string, (string Expected, Func<Guid, IMessage> RequestAbout)> GrpcExpectations = new()
    {
        //                                                             employee approver admin integration
        ["/attendance.ledger.v1.PunchLedger/SubmitPunch"] =           ("O - T T", p => new SubmitPunchRequest { Punch = ManualPunch(p) }),
        ["/attendance.ledger.v1.PunchLedger/SubmitPunches"] =         ("O - T T", p => new SubmitPunchesRequest { Punches = { ManualPunch(p), ManualPunch(p) } }),
        ["/attendance.ledger.v1.PunchLedger/StreamPunches"] =         ("S - T T", p => ManualPunch(p)),
        ["/attendance.ledger.v1.PunchLedger/ListPunches"] =           ("O T T -", p => new ListPunchesRequest { PersonUuid = p.ToString("D"), FromDate = "2026-03-01", ToDate = "2026-03-31" }),
        ["/attendance.results.v1.DailyResults/ListDailyResults"] =    ("O T T -", p => new ListDailyResultsRequest { PersonUuid = p.ToString("D") }),
        ["/attendance.results.v1.DailyResults/GetDailyResult"] =      ("O T T -", p => new GetDailyResultRequest { PersonUuid = p.ToString("D"), WorkDate = "2026-03-02" }),
        ["/attendance.results.v1.DailyResults/GetMonthlySummary"] =   ("O T T -", p => new GetMonthlySummaryRequest { PersonUuid = p.ToString("D"), Month = "2026-03" }),
        ["/attendance.results.v1.DailyResults/WatchDailyResults"] =   ("O T T -", p => new WatchDailyResultsRequest { PersonUuid = p.ToString("D") }),
        ["/attendance.identity.v1.IdentityMapping/CreatePerson"] =    ("- - T -", _ => new CreatePersonRequest { EmployeeNumber = "E1", DisplayName = "A" }),
        ["/attendance.identity.v1.IdentityMapping/UpdatePerson"] =    ("- - T -", p => new UpdatePersonRequest { PersonUuid = p.ToString("D"), DisplayName = "B" }),
        ["/attendance.identity.v1.IdentityMapping/ListPersons"] =     ("- - T -", _ => new ListPersonsRequest()),
        ["/attendance.identity.v1.IdentityMapping/LinkIdentity"] =    ("- - T -", p => new LinkIdentityRequest { Provider = IdentityProvider.Dingtalk, ExternalUserId = "u1", PersonUuid = p.ToString("D") }),
        ["/attendance.identity.v1.IdentityMapping/UnlinkIdentity"] =  ("- - T -", _ => new UnlinkIdentityRequest { Provider = IdentityProvider.Dingtalk, ExternalUserId = "u1" }),
        ["/attendance.identity.v1.IdentityMapping/ResolveIdentities"] = ("- - T T", _ => new ResolveIdentitiesRequest { Provider = IdentityProvider.Wecom, ExternalUserIds = { "u1" }, RecordUnmapped = true }),
        ["/attendance.identity.v1.IdentityMapping/ListUnmapped"] =    ("- - T -", _ => new ListUnmappedRequest()),
        ["/attendance.imports.v1.Imports/GetTemplate"] =              ("- - T -", _ => new GetTemplateRequest { Format = "csv" }),
        ["/attendance.imports.v1.Imports/PrepareImport"] =            ("- - T -", _ => new PrepareImportRequest { Header = new() { Format = "csv" } }),
        ["/attendance.imports.v1.Imports/GetImport"] =                ("- - T -", _ => new GetImportRequest { ImportId = Guid.Empty.ToString("D") }),
        ["/attendance.imports.v1.Imports/PreviewImport"] =            ("- - T -", _ => new PreviewImportRequest { ImportId = Guid.Empty.ToString("D") }),
        ["/attendance.imports.v1.Imports/CommitImport"] =             ("- - T -", _ => new CommitImportRequest { ImportId = Guid.Empty.ToString("D"), CommitToken = "t" }),
        ["/attendance.imports.v1.Imports/GetImportReport"] =          ("- - T -", _ => new GetImportRequest { ImportId = Guid.Empty.ToString("D") }),
        ["/attendance.imports.v1.Imports/ListImportAudit"] =          ("- - T -", _ => new ListImportAuditRequest()),
        ["/attendance.accounts.v1.Accounts/ListUsers"] =              ("- - T -", _ => new ListUsersRequest()),
        ["/attendance.accounts.v1.Accounts/CreateUser"] =             ("- - T -", _ => new CreateUserRequest()),
        ["/attendance.accounts.v1.Accounts/SetUserRoles"] =           ("- - T -", _ => new SetUserRolesRequest()),
        ["/attendance.accounts.v1.Accounts/DeactivateUser"] =         ("- - T -", _ => new DeactivateUserRequest()),
        ["/attendance.accounts.v1.Accounts/ListUserChanges"] =        ("- - T -", _ => new ListUserChangesRequest()),
        ["/attendance.accounts.v1.Accounts/ResetPassword"] =          ("- - T -", _ => new ResetPasswordRequest()),
        ["/attendance.accounts.v1.Accounts/UnlockUser"] =             ("- - T -", _ => new UnlockUserRequest()),
        ["/attendance.integrations.dingtalk.v1.DingTalkIntegration/PutSettings"] = ("- - T -", _ => new PutSettingsRequest { ClientId = "ding-app", ClientSecret = "s", Enabled = true }),
        ["/attendance.integrations.dingtalk.v1.DingTalkIntegration/GetSettings"] = ("- - T -", _ => new GetSettingsRequest()),
        ["/attendance.integrations.dingtalk.v1.DingTalkIntegration/GetStatus"] =   ("- - T -", _ => new GetStatusRequest()),
        ["/attendance.integrations.wecom.v1.WeComIntegration/PutSettings"] = ("- - T -", _ => new WeCom.PutSettingsRequest { CorpId = "ww-corp", CorpSecret = "s", Enabled = true }),
        ["/attendance.integrations.wecom.v1.WeComIntegration/GetSettings"] = ("- - T -", _ => new WeCom.GetSettingsRequest()),
        ["/attendance.integrations.wecom.v1.WeComIntegration/GetStatus"] =   ("- - T -", _ => new WeCom.GetStatusRequest()),
        // Adjustments: the gateway checks the person a request names; whose requests an approver reaches, and who may
        // withdraw one, the service decides (it knows the request and the assignments).
        ["/attendance.adjustments.v1.Adjustments/RequestAdjustment"] =      ("O O T -", p => new RequestAdjustmentRequest { PersonUuid = p.ToString("D"), PunchType = AdjustmentPunchType.In, Reason = "r" }),
        ["/attendance.adjustments.v1.Adjustments/ListAdjustments"] =        ("O T T -", p => new ListAdjustmentsRequest { PersonUuid = p.ToString("D") }),
        ["/attendance.adjustments.v1.Adjustments/GetAdjustment"] =          ("T T T -", _ => new GetAdjustmentRequest { AdjustmentId = Guid.Empty.ToString("D") }),
        ["/attendance.adjustments.v1.Adjustments/WithdrawAdjustment"] =     ("T T T -", _ => new WithdrawAdjustmentRequest { AdjustmentId = Guid.Empty.ToString("D") }),
        ["/attendance.adjustments.v1.Adjustments/ListPendingApprovals"] =   ("- T T -", _ => new ListPendingApprovalsRequest()),
        ["/attendance.adjustments.v1.Adjustments/ApproveAdjustment"] =      ("- T T -", _ => new DecideAdjustmentRequest { AdjustmentId = Guid.Empty.ToString("D") }),
        ["/attendance.adjustments.v1.Adjustments/RejectAdjustment"] =       ("- T T -", _ => new DecideAdjustmentRequest { AdjustmentId = Guid.Empty.ToString("D"), Comment = "c" }),
        ["/attendance.adjustments.v1.Adjustments/AssignApprover"] =         ("- - T -", p => new ApproverAssignment { ApproverPersonUuid = Guid.NewGuid().ToString("D"), PersonUuid = p.ToString("D") }),
        ["/attendance.adjustments.v1.Adjustments/UnassignApprover"] =       ("- - T -", p => new ApproverAssignment { ApproverPersonUuid = Guid.NewGuid().ToString("D"), PersonUuid = p.ToString("D") }),
        ["/attendance.adjustments.v1.Adjustments/ListApproverAssignments"] = ("- - T -", _ => new ListApproverAssignmentsRequest()),
        ["/attendance.audit.v1.AuditLog/ListAuditEntries"] =                ("- - T -", _ => new ListAuditEntriesRequest()),
    };

    internal static readonly Dictionary<(string Method, string Path), (string Expected, Func<Guid, string> QueryAbout)> HttpExpectations = new()
    {
        [("GET", "/api/daily-results")] =     ("O T T -", p => $"?person_uuid={p:D}&from_date=2026-03-01&to_date=2026-03-31&limit=10"),
        [("GET", "/api/daily-results/changes")] = ("O T T -", p => $"?person_uuid={p:D}"),
        [("GET", "/api/identity/unmapped")] = ("- - T -", _ => "?provider=dingtalk"),
        [("GET", "/api/imports/template")] =  ("- - T -", _ => "?format=csv"),
        [("POST", "/api/imports/prepare")] =  ("- - T -", _ => "?format=csv"),
        [("GET", "/api/imports/status")] =    ("- - T -", _ => $"?import_id={Guid.Empty:D}"),
        [("GET", "/api/imports/preview")] =   ("- - T -", _ => $"?import_id={Guid.Empty:D}"),
        [("POST", "/api/imports/commit")] =   ("- - T -", _ => $"?import_id={Guid.Empty:D}"),
        [("GET", "/api/imports/report")] =    ("- - T -", _ => $"?import_id={Guid.Empty:D}"),
        [("GET", "/api/imports/audit")] =     ("- - T -", _ => ""),
        [("GET", "/api/integrations/dingtalk/status")] = ("- - T -", _ => ""),
        [("PUT", "/api/integrations/dingtalk/settings")] = ("- - T -", _ => ""),
        [("GET", "/api/integrations/wecom/status")] = ("- - T -", _ => ""),
        [("PUT", "/api/integrations/wecom/settings")] = ("- - T -", _ => ""),
    };

    public static PunchInput ManualPunch(Guid person) => new()
    {
        PersonUuid = person.ToString("D"),
        PunchTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 2, 1, 2, 0, TimeSpan.Zero)),
        PunchType = PunchType.In,
        SourceProvider = SourceProvider.Manual,
        RequestId = "r-" + person.ToString("N"),
    };

    [Fact]
    public void Every_grpc_method_of_the_contracts_is_in_the_catalog_and_in_this_table()
    {
        // Every rpc of the .proto files, from the descriptors Grpc.Tools generated.
        var contractMethods = new[] { PunchLedgerReflection.Descriptor, DailyResultsReflection.Descriptor, IdentityMappingReflection.Descriptor, ImportsReflection.Descriptor, DingtalkIntegrationReflection.Descriptor, WeCom.WecomIntegrationReflection.Descriptor,
                           AdjustmentsReflection.Descriptor, AuditLogReflection.Descriptor, AccountsReflection.Descriptor }
            .SelectMany(file => file.Services)
            .SelectMany(service => service.Methods)
            .Select(method => $"/{method.Service.FullName}/{method.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(46, contractMethods.Count);
        Assert.Equal(contractMethods, OperationCatalog.GrpcMethods.Order(StringComparer.Ordinal));
        Assert.Equal(contractMethods, GrpcExpectations.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_http_route_is_in_this_table()
    {
        Assert.Equal(HttpExpectations.Keys.Order(), OperationCatalog.HttpRoutes.Select(route => (route.Method, route.Path)).Order());
    }

    [Fact]
    public async Task Grpc_matrix()
    {
        var failures = new List<string>();
        foreach (var path in OperationCatalog.GrpcMethods)
        {
            if (!GrpcExpectations.TryGetValue(path, out var row))
            {
                failures.Add($"{path}: no expectation; decide its policy in AccessPolicy and write it down in this table");
                continue;
            }
            var operation = OperationCatalog.ForGrpc(path)!;
            await CheckRow(failures, path, row.Expected, operation,
                person => GrpcContext(path, Frame(row.RequestAbout(person))));
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Http_matrix()
    {
        var failures = new List<string>();
        foreach (var (method, path, operation) in OperationCatalog.HttpRoutes)
        {
            if (!HttpExpectations.TryGetValue((method, path), out var row))
            {
                failures.Add($"{method} {path}: no expectation");
                continue;
            }
            Assert.Equal(operation, OperationCatalog.ForHttp(method, path));
            await CheckRow(failures, $"{method} {path}", row.Expected, operation,
                person => Http(method, path, row.QueryAbout(person)));
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static async Task CheckRow(List<string> failures, string name, string expected, Operation operation,
        Func<Guid, Microsoft.AspNetCore.Http.HttpContext> requestAbout)
    {
        var cells = expected.Split(' ');
        Assert.Equal(Roles.Length, cells.Length);
        for (var i = 0; i < Roles.Length; i++)
        {
            var principal = Principal(Own, Roles[i]);
            var expectedScope = cells[i] switch
            {
                "T" => AccessScope.Tenant,
                "O" or "S" => AccessScope.OwnPerson,
                "-" => (AccessScope?)null,
                var cell => throw new InvalidOperationException($"bad cell '{cell}'"),
            };
            var scope = AccessPolicy.Find(principal.Roles, operation);
            if (scope != expectedScope)
                failures.Add($"{name} / {Roles[i]}: policy scope {scope?.ToString() ?? "denied"}, expected {expectedScope?.ToString() ?? "denied"}");

            var control = new AccessControl();
            var own = await control.AuthorizeAsync(requestAbout(Own), principal, operation);
            var other = await control.AuthorizeAsync(requestAbout(Other), principal, operation);
            var (ownAllowed, otherAllowed) = cells[i] switch
            {
                "T" => (true, true),
                "O" => (true, false),
                _ => (false, false),
            };
            Check("own person", own, ownAllowed);
            Check("another person", other, otherAllowed);

            void Check(string about, GatewayError? error, bool allowed)
            {
                if (allowed && error is not null)
                    failures.Add($"{name} / {Roles[i]} / {about}: refused ({error}), expected allowed");
                else if (!allowed && error?.Code != GatewayErrors.Forbidden)
                    failures.Add($"{name} / {Roles[i]} / {about}: {(error is null ? "allowed" : error.ToString())}, expected {GatewayErrors.Forbidden}");
            }
        }
    }

    [Fact]
    public void Every_catalogued_operation_is_decided_by_the_policy()
    {
        var catalogued = OperationCatalog.GrpcMethods.Select(path => OperationCatalog.ForGrpc(path)!)
            .Concat(OperationCatalog.HttpRoutes.Select(route => route.Operation))
            .Distinct();

        Assert.All(catalogued, operation => Assert.Contains(operation, AccessPolicy.DecidedOperations));
    }

    [Fact]
    public void The_widest_scope_of_several_roles_wins()
    {
        var both = Principal(Own, AccessRoles.Employee, AccessRoles.Approver);

        Assert.Equal(AccessScope.Tenant, AccessPolicy.Find(both.Roles, Operations.ReadDailyResults));
        Assert.Equal(AccessScope.OwnPerson, AccessPolicy.Find(both.Roles, Operations.SubmitPunches));
        Assert.Null(AccessPolicy.Find(both.Roles, Operations.CreatePerson));
    }

    [Fact]
    public void Unknown_roles_and_operations_are_denied()
    {
        Assert.Null(AccessPolicy.Find(new HashSet<string> { "root", "Tenant-Admin" }, Operations.ReadDailyResults));
        Assert.Null(AccessPolicy.Find(new HashSet<string> { AccessRoles.TenantAdmin }, new Operation("attendance.payroll", "read")));
        Assert.Null(AccessPolicy.Find(new HashSet<string>(), Operations.ReadDailyResults));
    }

    [Theory]
    [InlineData("/attendance.ledger.v1.PunchLedger/DeletePunch")]
    [InlineData("/attendance.ledger.v1.punchledger/SubmitPunch")]
    [InlineData("/attendance.ledger.v2.PunchLedger/SubmitPunch")]
    [InlineData("/attendance.ledger.v1.PunchLedger/SubmitPunch/")]
    [InlineData("/grpc.health.v1.Health/Check")]
    [InlineData("")]
    public void Unknown_grpc_methods_have_no_operation(string path) => Assert.Null(OperationCatalog.ForGrpc(path));

    [Theory]
    [InlineData("GET", "/api/daily-results", true)]
    [InlineData("get", "/API/Daily-Results/", true)]
    [InlineData("GET", "/api/identity/unmapped", true)]
    [InlineData("POST", "/api/daily-results", false)]
    [InlineData("DELETE", "/api/identity/unmapped", false)]
    [InlineData("GET", "/api/daily-results/changes", true)]
    [InlineData("GET", "/api/daily-results/x", false)]
    [InlineData("GET", "/api/identity/persons", false)]
    [InlineData("GET", "/api/punches", false)]
    [InlineData("POST", "/api/imports", false)]
    [InlineData("POST", "/api/imports/prepare", true)]
    [InlineData("GET", "/api/imports/prepare", false)]
    [InlineData("GET", "/api/imports/status", true)]
    [InlineData("GET", "/", false)]
    public void Http_routes(string method, string path, bool known) =>
        Assert.Equal(known, OperationCatalog.ForHttp(method, path) is not null);
}
