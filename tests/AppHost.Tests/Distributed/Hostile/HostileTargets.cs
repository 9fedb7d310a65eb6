using System.Collections;
using System.Net;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Audit.V1;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Tests.Shared;
using DingTalk = HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using WeCom = HrmsAttendance.Contracts.Integrations.WeCom.V1;

namespace HrmsAttendance.AppHost.Tests.Distributed.Hostile;

/// <summary>What a field holds, which decides the hostile values that apply to it.</summary>
internal enum FieldKind
{
    // Strings (a gRPC string field or a JSON query parameter):
    Uuid, Date, Month, Text, Json, PageToken, NumberText, ProviderText,
    // Other gRPC fields:
    Int32, Enum, Timestamp,
}

/// <param name="Path">Where it is: a protobuf path (<c>punch.request_id</c>, <c>punches.0.request_id</c>) or a query parameter.</param>
/// <param name="Name">How the service names it at the start of a refusal.</param>
/// <param name="Required">Empty (or, for enums, UNSPECIFIED) is refused; otherwise it means a default.</param>
/// <param name="BlankAllowed">"   " is a value the field may hold (platform ids are kept exactly as given).</param>
internal sealed record HostileField(string Path, string Name, FieldKind Kind, bool Required = true, bool BlankAllowed = false)
{
    public bool IsString => Kind <= FieldKind.ProviderText;

    /// <summary>How GrpcRequestGuard names the field: <c>punches[0].request_id</c>.</summary>
    public string WirePath => Regex.Replace(Path, @"\.(\d+)", "[$1]");
}

/// <summary>One RPC or JSON route of the gateway, with a request the service accepts (<see cref="HostileInputTests"/> checks that it does).</summary>
internal abstract record HostileTarget(string Name, string Code, IReadOnlyList<HostileField> Fields)
{
    /// <summary>The service's code for a request message over its size limit.</summary>
    public string TooLargeCode => Code.Replace("INVALID_ARGUMENT", "REQUEST_TOO_LARGE", StringComparison.Ordinal);
}

/// <param name="HasOutcomes">SubmitPunches and StreamPunches answer a refused punch with a REJECTED outcome, not a status.</param>
internal sealed record GrpcTarget(string Name, string Code, string MethodPath, MethodType Type, bool HasOutcomes,
    Func<HostileWorld, IMessage> BaseMessage, IReadOnlyList<HostileField> Fields) : HostileTarget(Name, Code, Fields)
{
    public bool SingleMessage => Type is MethodType.Unary or MethodType.ServerStreaming;

    public HostileRequest Request(HostileWorld world, byte[] body) =>
        new(world.GrpcAddress, MethodPath, HttpVersion.Version20, "POST") { Body = body, ContentType = "application/grpc" };

    public HostileRequest Request(HostileWorld world, IMessage message) => Request(world, RawProtobuf.Frame(message.ToByteArray()));
}

internal sealed record JsonTarget(string Name, string Code, string Route, Func<HostileWorld, IReadOnlyList<(string Name, string Value)>> BaseQuery,
    IReadOnlyList<HostileField> Fields) : HostileTarget(Name, Code, Fields)
{
    /// <summary>The route with exactly these parameters, each value percent-encoded as UTF-8 (or given already encoded).</summary>
    public HostileRequest Request(HostileWorld world, IEnumerable<(string Name, string EncodedValue)> query) =>
        new(world.HttpAddress, Route + "?" + string.Join('&', query.Select(p => $"{p.Name}={p.EncodedValue}")), HttpVersion.Version11);

    public IEnumerable<(string Name, string EncodedValue)> EncodedBase(HostileWorld world) =>
        BaseQuery(world).Select(p => (p.Name, Uri.EscapeDataString(p.Value)));
}

/// <summary>A JSON route that takes a body (PUT settings), with a body the service accepts; its fields are the body's.</summary>
internal sealed record JsonBodyTarget(string Name, string Code, string Route, Func<HostileWorld, System.Text.Json.Nodes.JsonObject> BaseBody,
    IReadOnlyList<HostileField> Fields) : HostileTarget(Name, Code, Fields)
{
    public HostileRequest Request(HostileWorld world, byte[] body, string contentType = "application/json") =>
        new(world.HttpAddress, Route, HttpVersion.Version11, "PUT") { Body = body, ContentType = contentType };

    public HostileRequest Request(HostileWorld world, System.Text.Json.Nodes.JsonNode? body) =>
        Request(world, System.Text.Encoding.UTF8.GetBytes(body?.ToJsonString() ?? "null"));
}

/// <summary>Every RPC of the contracts the gateway serves and every JSON route, and the fields of each.</summary>
internal static class HostileTargets
{
    private const string Ledger = "STAFFING_INVALID_ARGUMENT", Results = "RESULTS_INVALID_ARGUMENT", Identity = "IDENTITY_INVALID_ARGUMENT",
        Imports = "IMPORT_INVALID_ARGUMENT", Adjustments = "ADJUSTMENT_INVALID_ARGUMENT", Audit = "AUDIT_INVALID_ARGUMENT", DingTalkCode = "DINGTALK_INVALID_ARGUMENT", WeComCode = "WECOM_INVALID_ARGUMENT";

    public static readonly DateTimeOffset MondayNine = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));

    public static PunchInput Punch(HostileWorld world) => new()
    {
        PersonUuid = world.Person.ToString(),
        PunchTime = Timestamp.FromDateTimeOffset(MondayNine.AddMinutes(Random.Shared.Next(1, 500))),
        PunchType = PunchType.Out,
        SourceProvider = SourceProvider.Manual,
        RequestId = "hostile-" + Guid.NewGuid(),
    };

    /// <summary>The fields of a punch, under <paramref name="prefix"/>.</summary>
    private static HostileField[] PunchFields(string prefix) =>
    [
        new(prefix + "person_uuid", "person_uuid", FieldKind.Uuid),
        new(prefix + "source_event_id", "source_event_id", FieldKind.Text, Required: false, BlankAllowed: true),
        new(prefix + "request_id", "request_id", FieldKind.Text),
        new(prefix + "payload_json", "payload_json", FieldKind.Json, Required: false, BlankAllowed: true),
        new(prefix + "punch_time", "punch_time", FieldKind.Timestamp),
        new(prefix + "punch_type", "punch_type", FieldKind.Enum),
        new(prefix + "source_provider", "source_provider", FieldKind.Enum),
    ];

    public static IReadOnlyList<HostileTarget> All => all ??= [.. Core, .. ImportReads, .. AdjustmentAndAuditReads];
    private static IReadOnlyList<HostileTarget>? all;

    private static readonly IReadOnlyList<HostileTarget> Core =
    [
        new GrpcTarget("SubmitPunch", Ledger, "/attendance.ledger.v1.PunchLedger/SubmitPunch", MethodType.Unary, false,
            w => new SubmitPunchRequest { Punch = Punch(w) }, PunchFields("punch.")),
        new GrpcTarget("SubmitPunches", Ledger, "/attendance.ledger.v1.PunchLedger/SubmitPunches", MethodType.Unary, true,
            w => new SubmitPunchesRequest { Punches = { Punch(w) } }, PunchFields("punches.0.")),
        new GrpcTarget("StreamPunches", Ledger, "/attendance.ledger.v1.PunchLedger/StreamPunches", MethodType.ClientStreaming, true,
            Punch, PunchFields("")),
        new GrpcTarget("ListPunches", Ledger, "/attendance.ledger.v1.PunchLedger/ListPunches", MethodType.ServerStreaming, false,
            w => new ListPunchesRequest { PersonUuid = w.Person.ToString(), FromDate = "2026-03-01", ToDate = "2026-03-03" },
            [
                new("person_uuid", "person_uuid", FieldKind.Uuid),
                new("from_date", "from_date", FieldKind.Date),
                new("to_date", "to_date", FieldKind.Date),
                new("limit", "limit", FieldKind.Int32, Required: false),
            ]),
        new GrpcTarget("ListDailyResults", Results, "/attendance.results.v1.DailyResults/ListDailyResults", MethodType.Unary, false,
            w => new ListDailyResultsRequest { PersonUuid = w.Person.ToString(), FromDate = "2026-03-01", ToDate = "2026-03-03" },
            [
                new("person_uuid", "person_uuid", FieldKind.Uuid),
                new("from_date", "from_date", FieldKind.Date, Required: false),
                new("to_date", "to_date", FieldKind.Date, Required: false),
                new("limit", "limit", FieldKind.Int32, Required: false),
            ]),
        new GrpcTarget("GetDailyResult", Results, "/attendance.results.v1.DailyResults/GetDailyResult", MethodType.Unary, false,
            w => new GetDailyResultRequest { PersonUuid = w.Person.ToString(), WorkDate = "2026-03-02" },
            [new("person_uuid", "person_uuid", FieldKind.Uuid), new("work_date", "work_date", FieldKind.Date)]),
        new GrpcTarget("GetMonthlySummary", Results, "/attendance.results.v1.DailyResults/GetMonthlySummary", MethodType.Unary, false,
            w => new GetMonthlySummaryRequest { PersonUuid = w.Person.ToString(), Month = "2026-03" },
            [new("person_uuid", "person_uuid", FieldKind.Uuid), new("month", "month", FieldKind.Month)]),
        new GrpcTarget("CreatePerson", Identity, "/attendance.identity.v1.IdentityMapping/CreatePerson", MethodType.Unary, false,
            _ => new CreatePersonRequest { EmployeeNumber = "H-" + Guid.NewGuid().ToString("N")[..12], DisplayName = "Hostile" },
            [new("employee_number", "employee_number", FieldKind.Text), new("display_name", "display_name", FieldKind.Text)]),
        new GrpcTarget("UpdatePerson", Identity, "/attendance.identity.v1.IdentityMapping/UpdatePerson", MethodType.Unary, false,
            w => new UpdatePersonRequest { PersonUuid = w.Person.ToString(), DisplayName = "Renamed" },
            [new("person_uuid", "person_uuid", FieldKind.Uuid), new("display_name", "display_name", FieldKind.Text, Required: false)]),
        new GrpcTarget("ListPersons", Identity, "/attendance.identity.v1.IdentityMapping/ListPersons", MethodType.Unary, false,
            _ => new ListPersonsRequest(),
            [
                new("search", "search", FieldKind.Text, Required: false, BlankAllowed: true),
                new("page_token", "page_token", FieldKind.PageToken, Required: false),
                new("page_size", "page_size", FieldKind.Int32, Required: false),
            ]),
        new GrpcTarget("LinkIdentity", Identity, "/attendance.identity.v1.IdentityMapping/LinkIdentity", MethodType.Unary, false,
            w => new LinkIdentityRequest { Provider = IdentityProvider.Dingtalk, ExternalUserId = "hx-" + Guid.NewGuid(), PersonUuid = w.Person.ToString() },
            [
                new("external_user_id", "external_user_id", FieldKind.Text, BlankAllowed: true),
                new("union_id", "union_id", FieldKind.Text, Required: false, BlankAllowed: true),
                new("person_uuid", "person_uuid", FieldKind.Uuid),
                new("provider", "provider", FieldKind.Enum),
            ]),
        new GrpcTarget("UnlinkIdentity", Identity, "/attendance.identity.v1.IdentityMapping/UnlinkIdentity", MethodType.Unary, false,
            w => new UnlinkIdentityRequest { Provider = IdentityProvider.Dingtalk, ExternalUserId = w.LinkedUserId },
            [new("external_user_id", "external_user_id", FieldKind.Text, BlankAllowed: true), new("provider", "provider", FieldKind.Enum)]),
        new GrpcTarget("ResolveIdentities", Identity, "/attendance.identity.v1.IdentityMapping/ResolveIdentities", MethodType.Unary, false,
            _ => new ResolveIdentitiesRequest { Provider = IdentityProvider.Wecom, ExternalUserIds = { "hx-unknown-" + Guid.NewGuid() }, RecordUnmapped = true },
            [new("external_user_ids.0", "external_user_ids[0]", FieldKind.Text, BlankAllowed: true), new("provider", "provider", FieldKind.Enum)]),
        new GrpcTarget("ListUnmapped", Identity, "/attendance.identity.v1.IdentityMapping/ListUnmapped", MethodType.Unary, false,
            _ => new ListUnmappedRequest(),
            [
                new("page_token", "page_token", FieldKind.PageToken, Required: false),
                new("page_size", "page_size", FieldKind.Int32, Required: false),
                new("provider", "provider", FieldKind.Enum, Required: false),
            ]),
        // The connectors' settings and status (tenant-admin). The world has settings (disabled) for both, so GetSettings answers.
        new GrpcTarget("DingTalk PutSettings", DingTalkCode, "/attendance.integrations.dingtalk.v1.DingTalkIntegration/PutSettings", MethodType.Unary, false,
            _ => new DingTalk.PutSettingsRequest { ClientId = "dinghostile", ClientSecret = "hostile-secret", Enabled = false },
            [new("client_id", "client_id", FieldKind.Text), new("client_secret", "client_secret", FieldKind.Text)]),
        new GrpcTarget("DingTalk GetSettings", DingTalkCode, "/attendance.integrations.dingtalk.v1.DingTalkIntegration/GetSettings", MethodType.Unary, false,
            _ => new DingTalk.GetSettingsRequest(), []),
        new GrpcTarget("DingTalk GetStatus", DingTalkCode, "/attendance.integrations.dingtalk.v1.DingTalkIntegration/GetStatus", MethodType.Unary, false,
            _ => new DingTalk.GetStatusRequest(), []),
        new GrpcTarget("WeCom PutSettings", WeComCode, "/attendance.integrations.wecom.v1.WeComIntegration/PutSettings", MethodType.Unary, false,
            _ => new WeCom.PutSettingsRequest { CorpId = "wwhostile", CorpSecret = "hostile-secret", Enabled = false },
            [new("corp_id", "corp_id", FieldKind.Text), new("corp_secret", "corp_secret", FieldKind.Text)]),
        new GrpcTarget("WeCom GetSettings", WeComCode, "/attendance.integrations.wecom.v1.WeComIntegration/GetSettings", MethodType.Unary, false,
            _ => new WeCom.GetSettingsRequest(), []),
        new GrpcTarget("WeCom GetStatus", WeComCode, "/attendance.integrations.wecom.v1.WeComIntegration/GetStatus", MethodType.Unary, false,
            _ => new WeCom.GetStatusRequest(), []),
        new JsonTarget("GET /api/integrations/dingtalk/status", DingTalkCode, "/api/integrations/dingtalk/status", _ => [], []),
        new JsonTarget("GET /api/integrations/wecom/status", WeComCode, "/api/integrations/wecom/status", _ => [], []),
        new JsonBodyTarget("PUT /api/integrations/dingtalk/settings", DingTalkCode, "/api/integrations/dingtalk/settings",
            _ => new() { ["client_id"] = "dinghostile", ["client_secret"] = "hostile-secret", ["enabled"] = false },
            [new("client_id", "client_id", FieldKind.Text), new("client_secret", "client_secret", FieldKind.Text)]),
        new JsonBodyTarget("PUT /api/integrations/wecom/settings", WeComCode, "/api/integrations/wecom/settings",
            _ => new() { ["corp_id"] = "wwhostile", ["corp_secret"] = "hostile-secret", ["enabled"] = false },
            [new("corp_id", "corp_id", FieldKind.Text), new("corp_secret", "corp_secret", FieldKind.Text)]),
        new JsonTarget("GET /api/daily-results", Results, "/api/daily-results",
            w => [("person_uuid", w.Person.ToString()), ("from_date", "2026-03-01"), ("to_date", "2026-03-03"), ("limit", "10")],
            [
                new("person_uuid", "person_uuid", FieldKind.Uuid),
                new("from_date", "from_date", FieldKind.Date, Required: false),
                new("to_date", "to_date", FieldKind.Date, Required: false),
                new("limit", "limit", FieldKind.NumberText, Required: false),
            ]),
        new JsonTarget("GET /api/identity/unmapped", Identity, "/api/identity/unmapped",
            _ => [("provider", "wecom"), ("page_size", "10")],
            [
                new("provider", "provider", FieldKind.ProviderText, Required: false),
                new("page_size", "page_size", FieldKind.NumberText, Required: false),
                new("page_token", "page_token", FieldKind.PageToken, Required: false),
            ]),
    ];

    /// <summary>The import's reads (issue 13) on the world's parsed import; prepare and commit change state and are left out.</summary>
    private static readonly IReadOnlyList<HostileTarget> ImportReads =
    [
        new GrpcTarget("GetImport", Imports, "/attendance.imports.v1.Imports/GetImport", MethodType.Unary, false,
            w => new GetImportRequest { ImportId = w.ImportId.ToString() }, [new("import_id", "import_id", FieldKind.Uuid)]),
        new GrpcTarget("PreviewImport", Imports, "/attendance.imports.v1.Imports/PreviewImport", MethodType.Unary, false,
            w => new PreviewImportRequest { ImportId = w.ImportId.ToString(), PreviewLimit = 10 },
            [
                new("import_id", "import_id", FieldKind.Uuid),
                // after_line is a cursor, not a size: any line number is a page (past the last line, an empty one).
                new("preview_limit", "preview_limit", FieldKind.Int32, Required: false),
            ]),
        new GrpcTarget("GetImportReport", Imports, "/attendance.imports.v1.Imports/GetImportReport", MethodType.ServerStreaming, false,
            w => new GetImportRequest { ImportId = w.ImportId.ToString() }, [new("import_id", "import_id", FieldKind.Uuid)]),
        new GrpcTarget("ListImportAudit", Imports, "/attendance.imports.v1.Imports/ListImportAudit", MethodType.Unary, false,
            _ => new ListImportAuditRequest { Limit = 10 }, [new("limit", "limit", FieldKind.Int32, Required: false)]),
        new JsonTarget("GET /api/imports/status", Imports, "/api/imports/status",
            w => [("import_id", w.ImportId.ToString())], [new("import_id", "import_id", FieldKind.Uuid)]),
        new JsonTarget("GET /api/imports/preview", Imports, "/api/imports/preview",
            w => [("import_id", w.ImportId.ToString()), ("previewLimit", "10")],
            [new("import_id", "import_id", FieldKind.Uuid), new("previewLimit", "previewLimit", FieldKind.NumberText, Required: false)]),
        new JsonTarget("GET /api/imports/audit", Imports, "/api/imports/audit",
            _ => [("limit", "10")], [new("limit", "limit", FieldKind.NumberText, Required: false)]),
    ];

    /// <summary>Issue 14's reads: adjustment requests, approver assignments, the audit log (filters: blank is a value that matches nothing).</summary>
    private static readonly IReadOnlyList<HostileTarget> AdjustmentAndAuditReads =
    [
        new GrpcTarget("GetAdjustment", Adjustments, "/attendance.adjustments.v1.Adjustments/GetAdjustment", MethodType.Unary, false,
            w => new GetAdjustmentRequest { AdjustmentId = w.AdjustmentId.ToString() }, [new("adjustment_id", "adjustment_id", FieldKind.Uuid)]),
        new GrpcTarget("ListAdjustments", Adjustments, "/attendance.adjustments.v1.Adjustments/ListAdjustments", MethodType.Unary, false,
            w => new ListAdjustmentsRequest { PersonUuid = w.Person.ToString(), PageSize = 10 },
            [
                new("person_uuid", "person_uuid", FieldKind.Uuid),
                new("status", "status", FieldKind.Enum, Required: false),
                new("page_size", "page_size", FieldKind.Int32, Required: false),
                new("page_token", "page_token", FieldKind.PageToken, Required: false),
            ]),
        new GrpcTarget("ListPendingApprovals", Adjustments, "/attendance.adjustments.v1.Adjustments/ListPendingApprovals", MethodType.Unary, false,
            _ => new ListPendingApprovalsRequest { PageSize = 10 },
            [
                new("page_size", "page_size", FieldKind.Int32, Required: false),
                new("page_token", "page_token", FieldKind.PageToken, Required: false),
            ]),
        new GrpcTarget("ListApproverAssignments", Adjustments, "/attendance.adjustments.v1.Adjustments/ListApproverAssignments", MethodType.Unary, false,
            w => new ListApproverAssignmentsRequest { PersonUuid = w.Person.ToString() },
            [new("person_uuid", "person_uuid", FieldKind.Uuid, Required: false)]),
        new GrpcTarget("ListAuditEntries", Audit, "/attendance.audit.v1.AuditLog/ListAuditEntries", MethodType.Unary, false,
            _ => new ListAuditEntriesRequest { PageSize = 10, Action = "punch.", Actor = "hostile", ObjectId = "x" },
            [
                new("page_size", "page_size", FieldKind.Int32, Required: false),
                new("page_token", "page_token", FieldKind.PageToken, Required: false),
                new("actor", "actor", FieldKind.Text, Required: false, BlankAllowed: true),
                new("action", "action", FieldKind.Text, Required: false, BlankAllowed: true),
                new("object_id", "object_id", FieldKind.Text, Required: false, BlankAllowed: true),
            ]),
    ];

    public static IEnumerable<GrpcTarget> Grpc => All.OfType<GrpcTarget>();
    public static IEnumerable<JsonTarget> Json => All.OfType<JsonTarget>();
    public static IEnumerable<JsonBodyTarget> JsonBodies => All.OfType<JsonBodyTarget>();

    /// <summary>Sets the field at <paramref name="path"/> (protobuf reflection; a missing embedded message is created).</summary>
    public static void Set(IMessage message, string path, object? value)
    {
        var parts = path.Split('.');
        var current = message;
        for (var i = 0; i < parts.Length; i++)
        {
            var field = current.Descriptor.FindFieldByName(parts[i]) ?? throw new ArgumentException($"{current.Descriptor.Name} has no field {parts[i]}");
            var last = i == parts.Length - 1 || (field.IsRepeated && i + 1 == parts.Length - 1);
            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(current);
                var index = int.Parse(parts[++i]);
                if (last) list[index] = value;
                else current = (IMessage)list[index]!;
            }
            else if (last)
            {
                if (value is null) field.Accessor.Clear(current);
                else field.Accessor.SetValue(current, field.FieldType == Google.Protobuf.Reflection.FieldType.Enum
                    ? System.Enum.ToObject(field.EnumType.ClrType, value) : value);
            }
            else
            {
                if (field.Accessor.GetValue(current) is not IMessage next)
                {
                    next = (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
                    field.Accessor.SetValue(current, next);
                }
                current = next;
            }
        }
    }
}
