using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Accounts.V1;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Audit.V1;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.Contracts.Integrations.WeCom.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Gateway.Errors;
using MethodType = Grpc.Core.MethodType;

namespace HrmsAttendance.Gateway.Access;

/// <summary>
/// Every call the gateway lets through, and the <see cref="Operation"/> it is: each gRPC method of the contracts by
/// its full path, each JSON route by method and path. A call that is not here is refused (GATEWAY_ROUTE_NOT_FOUND):
/// a new RPC is unreachable until it is added here and decided in <see cref="AccessPolicy"/> (fail closed).
/// For the calls an employee may make about itself, the entry also says where the request names its person.
/// </summary>
public static class OperationCatalog
{
    private static readonly Dictionary<string, GrpcEntry> Grpc = new GrpcEntry[]
    {
        // attendance.ledger.v1.PunchLedger
        GrpcEntry.Of<SubmitPunchRequest>(PunchLedger.Descriptor, "SubmitPunch", Operations.SubmitPunches,
            (request, person) => Ownership.ManualPunch(request.Punch, person, "punch")),
        GrpcEntry.Of<SubmitPunchesRequest>(PunchLedger.Descriptor, "SubmitPunches", Operations.SubmitPunches,
            (request, person) =>
            {
                for (var i = 0; i < request.Punches.Count; i++)
                    if (Ownership.ManualPunch(request.Punches[i], person, $"punches[{i}]") is { } refusal) return refusal;
                return null;
            }),
        // A client stream cannot be inspected before it is forwarded: no ownership check, so only tenant-wide grants reach it.
        GrpcEntry.Of(PunchLedger.Descriptor, "StreamPunches", Operations.SubmitPunches),
        GrpcEntry.Of<ListPunchesRequest>(PunchLedger.Descriptor, "ListPunches", Operations.ReadPunches,
            (request, person) => Ownership.Person(request.PersonUuid, person, "person_uuid")),

        // attendance.results.v1.DailyResults
        GrpcEntry.Of<ListDailyResultsRequest>(DailyResults.Descriptor, "ListDailyResults", Operations.ReadDailyResults,
            (request, person) => Ownership.Person(request.PersonUuid, person, "person_uuid")),
        GrpcEntry.Of<GetDailyResultRequest>(DailyResults.Descriptor, "GetDailyResult", Operations.ReadDailyResults,
            (request, person) => Ownership.Person(request.PersonUuid, person, "person_uuid")),
        GrpcEntry.Of<GetMonthlySummaryRequest>(DailyResults.Descriptor, "GetMonthlySummary", Operations.ReadDailyResults,
            (request, person) => Ownership.Person(request.PersonUuid, person, "person_uuid")),
        // An employee watches its own person only (an empty person_uuid, every person, is not theirs).
        GrpcEntry.Of<WatchDailyResultsRequest>(DailyResults.Descriptor, "WatchDailyResults", Operations.ReadDailyResults,
            (request, person) => Ownership.Person(request.PersonUuid, person, "person_uuid")),

        // attendance.identity.v1.IdentityMapping
        GrpcEntry.Of(IdentityMapping.Descriptor, "CreatePerson", Operations.CreatePerson),
        GrpcEntry.Of(IdentityMapping.Descriptor, "UpdatePerson", Operations.UpdatePerson),
        GrpcEntry.Of(IdentityMapping.Descriptor, "ListPersons", Operations.ReadPersons),
        GrpcEntry.Of(IdentityMapping.Descriptor, "LinkIdentity", Operations.LinkIdentity),
        GrpcEntry.Of(IdentityMapping.Descriptor, "UnlinkIdentity", Operations.UnlinkIdentity),
        GrpcEntry.Of(IdentityMapping.Descriptor, "ResolveIdentities", Operations.ResolveIdentities),
        GrpcEntry.Of(IdentityMapping.Descriptor, "ListUnmapped", Operations.ReadUnmapped),

        // attendance.imports.v1.Imports (punch-ledger)
        GrpcEntry.Of(Imports.Descriptor, "GetTemplate", Operations.ReadImports),
        GrpcEntry.Of(Imports.Descriptor, "PrepareImport", Operations.SubmitImport),
        GrpcEntry.Of(Imports.Descriptor, "GetImport", Operations.ReadImports),
        GrpcEntry.Of(Imports.Descriptor, "PreviewImport", Operations.ReadImports),
        GrpcEntry.Of(Imports.Descriptor, "CommitImport", Operations.SubmitImport),
        GrpcEntry.Of(Imports.Descriptor, "GetImportReport", Operations.ReadImports),
        GrpcEntry.Of(Imports.Descriptor, "ListImportAudit", Operations.ReadImports),
        // attendance.integrations.dingtalk.v1.DingTalkIntegration
        GrpcEntry.Of(DingTalkIntegration.Descriptor, "PutSettings", Operations.ConfigureIntegrations),
        GrpcEntry.Of(DingTalkIntegration.Descriptor, "GetSettings", Operations.ReadIntegrations),
        GrpcEntry.Of(DingTalkIntegration.Descriptor, "GetStatus", Operations.ReadIntegrations),

        // attendance.integrations.wecom.v1.WeComIntegration
        GrpcEntry.Of(WeComIntegration.Descriptor, "PutSettings", Operations.ConfigureIntegrations),
        GrpcEntry.Of(WeComIntegration.Descriptor, "GetSettings", Operations.ReadIntegrations),
        GrpcEntry.Of(WeComIntegration.Descriptor, "GetStatus", Operations.ReadIntegrations),

        // attendance.accounts.v1.Accounts (identity)
        GrpcEntry.Of(Accounts.Descriptor, "ListUsers", Operations.ReadUsers),
        GrpcEntry.Of(Accounts.Descriptor, "CreateUser", Operations.ManageUsers),
        GrpcEntry.Of(Accounts.Descriptor, "SetUserRoles", Operations.ManageUsers),
        GrpcEntry.Of(Accounts.Descriptor, "DeactivateUser", Operations.ManageUsers),
        GrpcEntry.Of(Accounts.Descriptor, "ListUserChanges", Operations.ReadUsers),
        GrpcEntry.Of(Accounts.Descriptor, "ResetPassword", Operations.ManageUsers),
        GrpcEntry.Of(Accounts.Descriptor, "UnlockUser", Operations.ManageUsers),
        // attendance.adjustments.v1.Adjustments (punch-ledger). The service decides whose requests a caller reaches
        // (its own person's; an approver's assigned persons'); a request's id names no person, so for Get and Withdraw the
        // service alone checks that it is the caller's.
        GrpcEntry.Of<RequestAdjustmentRequest>(Contracts.Adjustments.V1.Adjustments.Descriptor, "RequestAdjustment", Operations.RequestAdjustment,
            (request, person) => Ownership.Person(request.PersonUuid, person, "person_uuid")),
        GrpcEntry.Of<ListAdjustmentsRequest>(Contracts.Adjustments.V1.Adjustments.Descriptor, "ListAdjustments", Operations.ReadAdjustments,
            (request, person) => Ownership.Person(request.PersonUuid, person, "person_uuid")),
        GrpcEntry.Of(Contracts.Adjustments.V1.Adjustments.Descriptor, "GetAdjustment", Operations.GetAdjustment),
        GrpcEntry.Of(Contracts.Adjustments.V1.Adjustments.Descriptor, "WithdrawAdjustment", Operations.WithdrawAdjustment),
        GrpcEntry.Of(Contracts.Adjustments.V1.Adjustments.Descriptor, "ListPendingApprovals", Operations.DecideAdjustments),
        GrpcEntry.Of(Contracts.Adjustments.V1.Adjustments.Descriptor, "ApproveAdjustment", Operations.DecideAdjustments),
        GrpcEntry.Of(Contracts.Adjustments.V1.Adjustments.Descriptor, "RejectAdjustment", Operations.DecideAdjustments),
        GrpcEntry.Of(Contracts.Adjustments.V1.Adjustments.Descriptor, "AssignApprover", Operations.ManageApprovers),
        GrpcEntry.Of(Contracts.Adjustments.V1.Adjustments.Descriptor, "UnassignApprover", Operations.ManageApprovers),
        GrpcEntry.Of(Contracts.Adjustments.V1.Adjustments.Descriptor, "ListApproverAssignments", Operations.ManageApprovers),

        // attendance.audit.v1.AuditLog (punch-ledger)
        GrpcEntry.Of(AuditLog.Descriptor, "ListAuditEntries", Operations.ReadAuditLog),
    }.ToDictionary(entry => entry.Path, StringComparer.Ordinal);

    private static readonly HttpEntry[] Http =
    [
        new("GET", "/api/daily-results", Operations.ReadDailyResults,
            (request, person) => Ownership.QueryPerson(request, person, "person_uuid")),
        new("GET", "/api/daily-results/changes", Operations.ReadDailyResults,
            (request, person) => Ownership.QueryPerson(request, person, "person_uuid")),
        new("GET", "/api/identity/unmapped", Operations.ReadUnmapped, null),
        // Imports (punch-ledger, services/PunchLedger/Imports): the import is named by its import_id query parameter.
        new("GET", "/api/imports/template", Operations.ReadImports, null),
        new("POST", "/api/imports/prepare", Operations.SubmitImport, null),
        new("GET", "/api/imports/status", Operations.ReadImports, null),
        new("GET", "/api/imports/preview", Operations.ReadImports, null),
        new("POST", "/api/imports/commit", Operations.SubmitImport, null),
        new("GET", "/api/imports/report", Operations.ReadImports, null),
        new("GET", "/api/imports/audit", Operations.ReadImports, null),
        new("GET", "/api/integrations/dingtalk/status", Operations.ReadIntegrations, null),
        new("PUT", "/api/integrations/dingtalk/settings", Operations.ConfigureIntegrations, null),
        new("GET", "/api/integrations/wecom/status", Operations.ReadIntegrations, null),
        new("PUT", "/api/integrations/wecom/settings", Operations.ConfigureIntegrations, null),
        // /api/punches: added here (and so reachable) when punch-ledger serves it.
    ];

    /// <summary>Every gRPC method's full path, e.g. <c>/attendance.ledger.v1.PunchLedger/SubmitPunch</c>.</summary>
    public static IReadOnlyCollection<string> GrpcMethods => Grpc.Keys;

    /// <summary>The JSON routes, for tests and the start-up log.</summary>
    public static IReadOnlyList<(string Method, string Path, Operation Operation)> HttpRoutes { get; } =
        Http.Select(route => (route.Method, route.Path, route.Operation)).ToList();

    /// <summary>The operation of a gRPC call by its path (case-sensitive, as gRPC paths are); null = unknown method.</summary>
    public static Operation? ForGrpc(string path) => FindGrpc(path)?.Operation;

    /// <summary>The operation of a JSON call (path without query; case-insensitive, one trailing slash ignored); null = unknown.</summary>
    public static Operation? ForHttp(string method, string path) => FindHttp(method, path)?.Operation;

    internal static GrpcEntry? FindGrpc(string path) => Grpc.GetValueOrDefault(path ?? "");

    internal static HttpEntry? FindHttp(string method, string path)
    {
        if (string.IsNullOrEmpty(method) || string.IsNullOrEmpty(path)) return null;
        if (path.Length > 1 && path.EndsWith('/')) path = path[..^1];
        foreach (var route in Http)
            if (route.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && route.Path.Equals(path, StringComparison.OrdinalIgnoreCase))
                return route;
        return null;
    }
}

/// <summary>
/// One gRPC method: its operation, its call type, and (when an own-person grant can apply) how to read its single
/// request message and check that it concerns only the caller's person.
/// </summary>
internal sealed record GrpcEntry(string Path, string MethodName, MethodType Type, Operation Operation,
    Func<ReadOnlySequence<byte>, Guid, GatewayError?>? CheckOwnership)
{
    /// <summary>Whether the request is one message the gateway can read before forwarding (unary and server-streaming calls).</summary>
    public bool HasSingleRequest => Type is MethodType.Unary or MethodType.ServerStreaming;

    /// <summary>A method without an own-person check, by its service's generated descriptor and its name.</summary>
    public static GrpcEntry Of(ServiceDescriptor service, string methodName, Operation operation)
    {
        var method = Find(service, methodName);
        return new GrpcEntry($"/{service.FullName}/{method.Name}", method.Name, TypeOf(method), operation, null);
    }

    /// <summary>A method whose single request message <typeparamref name="TRequest"/> is checked for the caller's person.</summary>
    public static GrpcEntry Of<TRequest>(ServiceDescriptor service, string methodName, Operation operation,
        Func<TRequest, Guid, GatewayError?> ownership)
        where TRequest : class, IMessage<TRequest>
    {
        var method = Find(service, methodName);
        if (method.InputType.ClrType != typeof(TRequest))
            throw new ArgumentException($"{method.FullName} takes {method.InputType.ClrType.Name}, not {typeof(TRequest).Name}", nameof(methodName));
        GatewayError? Check(ReadOnlySequence<byte> payload, Guid person)
        {
            TRequest request;
            try { request = (TRequest)method.InputType.Parser.ParseFrom(payload); }
            catch (InvalidProtocolBufferException e)
            {
                return new GatewayError(GatewayErrors.BadRequest, $"the {typeof(TRequest).Name} message cannot be parsed: {e.Message}");
            }
            return ownership(request, person);
        }
        return new GrpcEntry($"/{service.FullName}/{method.Name}", method.Name, TypeOf(method), operation, Check);
    }

    private static MethodDescriptor Find(ServiceDescriptor service, string methodName) =>
        service.FindMethodByName(methodName) ?? throw new ArgumentException($"{service.FullName} has no method {methodName}", nameof(methodName));

    private static MethodType TypeOf(MethodDescriptor method) => (method.IsClientStreaming, method.IsServerStreaming) switch
    {
        (false, false) => MethodType.Unary,
        (true, false) => MethodType.ClientStreaming,
        (false, true) => MethodType.ServerStreaming,
        _ => MethodType.DuplexStreaming,
    };
}

/// <summary>One JSON route and, when an own-person grant can apply, how to check that it concerns only the caller's person.</summary>
internal sealed record HttpEntry(string Method, string Path, Operation Operation, Func<HttpRequest, Guid, GatewayError?>? CheckOwnership);

/// <summary>The checks behind an own-person grant: every person the request names is the caller's, as a canonical UUID.</summary>
internal static class Ownership
{
    public static GatewayError? Person(string? value, Guid person, string field)
    {
        // The services' rule (canonical 8-4-4-4-12, either case, no padding), so the gateway and the service read the same person.
        if (WireValues.TryParseCanonicalUuid(value, out var named) && named == person) return null;
        return Forbidden($"{field} '{Shorten(value)}' is not the caller's own person ({person:D}); this role may only reach its own");
    }

    /// <summary>An employee's own punch: its person, entered by hand (source_provider MANUAL).</summary>
    public static GatewayError? ManualPunch(PunchInput? punch, Guid person, string field)
    {
        if (punch is null) return Forbidden($"{field} is missing, so it is not the caller's own punch");
        if (Person(punch.PersonUuid, person, $"{field}.person_uuid") is { } refusal) return refusal;
        if (punch.SourceProvider != SourceProvider.Manual)
            return Forbidden($"{field}.source_provider is {punch.SourceProvider}; this role may only submit MANUAL punches");
        return null;
    }

    public static GatewayError? QueryPerson(HttpRequest request, Guid person, string parameter)
    {
        var values = request.Query[parameter];
        if (values.Count > 1)
            return new GatewayError(GatewayErrors.BadRequest, $"give the {parameter} query parameter once");
        if (values.Count == 0)
            return Forbidden($"the {parameter} query parameter is required, and must be the caller's own person ({person:D})");
        return Person(values[0], person, parameter);
    }

    public static GatewayError Forbidden(string detail) => new(GatewayErrors.Forbidden, detail);

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 64 ? value : value[..64] + "…";
}
