using System.Globalization;
using System.Text;
using System.Text.Json;
using HrmsAttendance.Contracts;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>
/// The import's JSON routes (seed 002's template → prepare → preview → commit, asynchronous): every route under
/// <c>/api/imports/</c>, the import named by the <c>import_id</c> query parameter. Same token as the gRPC calls (the
/// gateway lets tenant-admins through); a query parameter the route does not have, given twice, or a JSON field the
/// body does not have, is IMPORT_INVALID_ARGUMENT. Refusals are problem details with the stable code in <c>code</c>.
/// </summary>
public static class ImportsApi
{
    public const int MaxPreviewLimit = 1000;
    public const int DefaultPreviewLimit = 100;

    public static IEndpointRouteBuilder MapImportsApi(this IEndpointRouteBuilder app)
    {
        var imports = app.MapGroup("/api/imports");
        imports.MapGet("/template", Template);
        imports.MapPost("/prepare", PrepareAsync);
        imports.MapGet("/status", StatusAsync);
        imports.MapGet("/preview", PreviewAsync);
        imports.MapPost("/commit", CommitAsync);
        imports.MapGet("/report", ReportAsync);
        imports.MapGet("/audit", AuditAsync);
        return app;
    }

    /// <summary><c>GET /api/imports/template?format=csv|dingtalk</c>: the format's CSV template (UTF-8 with BOM).</summary>
    private static Task<IResult> Template(HttpContext http, ILoggerFactory loggers, string? format) => Guarded(loggers, () =>
    {
        _ = http.Caller();
        Known(http, "format");
        var name = Format(format);
        return Task.FromResult(Results.File(ImportFormats.Template(name), "text/csv; charset=utf-8", $"attendance-import-{name}.csv"));
    });

    /// <summary>
    /// <c>POST /api/imports/prepare?format=csv|dingtalk[&amp;encoding=utf-8|gbk][&amp;file_name=…]</c>, the file as the
    /// request body: stores it (streamed, at most <see cref="ImportOptions.MaxFileBytes"/>), answers 202 with the import,
    /// its commit token and status PARSING; parsing runs in the background (poll <c>status</c>).
    /// </summary>
    private static Task<IResult> PrepareAsync(HttpContext http, ImportStore store, ImportWorker worker, IOptions<ImportOptions> options,
        ILoggerFactory loggers, string? format, string? encoding, string? file_name) => Guarded(loggers, async () =>
    {
        var caller = http.Caller();
        Known(http, "format", "encoding", "file_name");
        var name = Format(format);
        var fileEncoding = encoding?.ToLowerInvariant() switch
        {
            null or "" or "auto" => null,
            "utf-8" or "utf8" => "utf-8",
            "gbk" or "gb2312" or "gb18030" => "gbk",
            _ => throw ImportErrors.Invalid("encoding must be auto, utf-8 or gbk"),
        };
        if (file_name is not null && (file_name.Length > 255 || WireValues.TextProblem(file_name) is not null))
            throw ImportErrors.Invalid("file_name must be at most 255 characters without control characters");
        if (http.Request.ContentLength > options.Value.MaxFileBytes)
            throw ImportErrors.Refuse(ImportErrors.FileTooLarge, $"the file is larger than {options.Value.MaxFileBytes} bytes");
        // Kestrel's own limit (30 MB) would cut the stream with a bare 413; the store enforces the import's limit instead.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxFileBytes + 1;
        var prepared = await store.PrepareAsync(caller.TenantId, caller.Subject, name, fileEncoding, file_name, http.Request.Body,
            http.RequestAborted);
        worker.Wake();
        var body = Describe(prepared.Batch);
        body["commit_token"] = prepared.CommitToken;
        return Results.Json(body, statusCode: StatusCodes.Status202Accepted);
    });

    /// <summary><c>GET /api/imports/status?import_id=…</c>: the import's state and progress (rows read, valid, invalid; committed).</summary>
    private static Task<IResult> StatusAsync(HttpContext http, ImportStore store, ILoggerFactory loggers, string? import_id) =>
        Guarded(loggers, async () =>
        {
            var caller = http.Caller();
            Known(http, "import_id");
            return Results.Json(Describe(await store.GetAsync(caller.TenantId, Id(import_id), http.RequestAborted)));
        });

    /// <summary>
    /// <c>GET /api/imports/preview?import_id=…[&amp;previewLimit=100][&amp;returnItems=true][&amp;after_line=0][&amp;only_errors=false]</c>:
    /// the import, what its commit would change (persons, work dates) and its problems by code, and a page of rows in
    /// line order (each with its stable error code, if any); <c>next_after_line</c> continues the page.
    /// </summary>
    private static Task<IResult> PreviewAsync(HttpContext http, ImportStore store, ILoggerFactory loggers, string? import_id,
        string? previewLimit, string? returnItems, string? after_line, string? only_errors) => Guarded(loggers, async () =>
    {
        var caller = http.Caller();
        Known(http, "import_id", "previewLimit", "returnItems", "after_line", "only_errors");
        var id = Id(import_id);
        var limit = Int(previewLimit, "previewLimit", DefaultPreviewLimit, 1, MaxPreviewLimit);
        var items = Bool(returnItems, "returnItems", true);
        var after = Int(after_line, "after_line", 0, 0, int.MaxValue);
        var errorsOnly = Bool(only_errors, "only_errors", false);
        var batch = await store.GetAsync(caller.TenantId, id, http.RequestAborted);
        var impact = await store.ImpactAsync(caller.TenantId, id, http.RequestAborted);
        var body = Describe(batch);
        body["would_change"] = new Dictionary<string, object?>
        {
            ["persons"] = impact.Persons,
            ["person_days"] = impact.PersonDays,
            ["from_date"] = impact.FromDate?.ToString("yyyy-MM-dd"),
            ["to_date"] = impact.ToDate?.ToString("yyyy-MM-dd"),
        };
        body["errors_by_code"] = impact.ErrorsByCode.ToDictionary(e => e.Code, e => (object?)e.Rows);
        if (items)
        {
            var rows = await store.RowsAsync(caller.TenantId, id, after, limit, errorsOnly, http.RequestAborted);
            body["items"] = rows.Select(Row).ToList();
            body["next_after_line"] = rows.Count == limit ? rows[^1].Line : null;
        }
        return Results.Json(body);
    });

    /// <summary>
    /// <c>POST /api/imports/commit?import_id=…</c> with <c>{"commitToken": "…", "idempotencyKey": "…"}</c> (the key optional):
    /// 202 with the import, COMMITTING, the rows recorded in the background (poll <c>status</c>); the same key again
    /// answers 200 with that first commit, never a second import.
    /// </summary>
    private static Task<IResult> CommitAsync(HttpContext http, ImportStore store, ImportWorker worker, ILoggerFactory loggers,
        string? import_id) => Guarded(loggers, async () =>
    {
        var caller = http.Caller();
        Known(http, "import_id");
        var id = Id(import_id);
        var (token, key) = await CommitBodyAsync(http);
        var answer = await store.RequestCommitAsync(caller.TenantId, caller.Subject, id, token, key, http.RequestAborted);
        worker.Wake();
        var body = Describe(answer.Batch);
        body["replayed"] = answer.Replayed;
        return Results.Json(body, statusCode: answer.Replayed ? StatusCodes.Status200OK : StatusCodes.Status202Accepted);
    });

    /// <summary><c>GET /api/imports/report?import_id=…</c>: every row with what became of it, as CSV (UTF-8 with BOM), streamed.</summary>
    private static Task<IResult> ReportAsync(HttpContext http, ImportStore store, ILoggerFactory loggers, string? import_id) =>
        Guarded(loggers, async () =>
        {
            var caller = http.Caller();
            Known(http, "import_id");
            var id = Id(import_id);
            var batch = await store.GetAsync(caller.TenantId, id, http.RequestAborted);
            return Results.Stream(async output =>
            {
                await using var writer = new StreamWriter(output, new UTF8Encoding(true));
                await writer.WriteAsync("line,person,punch_time,punch_type,request_id,result,code,detail,event_uuid,sheet_row,source_column\r\n");
                await foreach (var row in store.StreamRowsAsync(caller.TenantId, id, 0, null, false, http.RequestAborted))
                {
                    var result = row.ErrorCode is not null ? "INVALID" : row.Outcome ?? "NOT_COMMITTED";
                    string?[] fields =
                    [
                        row.Line.ToString(CultureInfo.InvariantCulture), row.PersonText, Utc(row.PunchTime) ?? row.TimeText,
                        row.PunchType ?? row.TypeText, row.RequestId, result, row.ErrorCode ?? row.OutcomeCode, row.ErrorDetail,
                        row.EventUuid?.ToString(), row.SheetRow?.ToString(CultureInfo.InvariantCulture), row.SourceColumn,
                    ];
                    await writer.WriteAsync(string.Join(',', fields.Select(Csv)) + "\r\n");
                }
            }, "text/csv; charset=utf-8", $"import-{batch.ImportId}-report.csv");
        });

    /// <summary><c>GET /api/imports/audit[?limit=100][&amp;before_id=…]</c>: the tenant's import actions, newest first.</summary>
    private static Task<IResult> AuditAsync(HttpContext http, ImportStore store, ILoggerFactory loggers, string? limit, string? before_id) =>
        Guarded(loggers, async () =>
        {
            var caller = http.Caller();
            Known(http, "limit", "before_id");
            var max = Int(limit, "limit", 100, 1, 1000);
            long? before = before_id is null ? null
                : long.TryParse(before_id, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0 ? b
                : throw ImportErrors.Invalid("before_id must be a positive integer");
            var entries = await store.AuditAsync(caller.TenantId, before, max, http.RequestAborted);
            return Results.Json(new Dictionary<string, object?>
            {
                ["entries"] = entries.Select(e => new Dictionary<string, object?>
                {
                    ["id"] = e.Id,
                    ["import_id"] = e.ImportId?.ToString(),
                    ["actor"] = e.Actor,
                    ["action"] = e.Action,
                    ["file_sha256"] = e.FileSha256,
                    ["details"] = JsonDocument.Parse(e.Details).RootElement,
                    ["at"] = Utc(e.At),
                }).ToList(),
                ["next_before_id"] = entries.Count == max ? entries[^1].Id : null,
            });
        });

    public static Dictionary<string, object?> Describe(ImportBatch b) => new()
    {
        ["import_id"] = b.ImportId.ToString(),
        ["status"] = b.Status,
        ["format"] = b.Format,
        ["encoding"] = b.Encoding,
        ["file_name"] = b.FileName,
        ["file_sha256"] = b.FileSha256,
        ["file_bytes"] = b.FileBytes,
        ["uploaded_by"] = b.UploadedBy,
        ["created_at"] = Utc(b.CreatedAt),
        ["failure"] = b.FailureCode is null ? null : new Dictionary<string, object?> { ["code"] = b.FailureCode, ["detail"] = b.FailureDetail },
        ["rows"] = new Dictionary<string, object?> { ["read"] = b.RowsRead, ["valid"] = b.RowsValid, ["invalid"] = b.RowsInvalid },
        ["detected"] = b.Detected is not { } d ? null : new Dictionary<string, object?>
        {
            ["container"] = d.Container,
            ["layout"] = d.Layout,
            ["sheet"] = d.Sheet,
            ["header_row"] = d.HeaderRow,
            ["header_last_row"] = d.LastHeaderRow,
        },
        ["commit_token_expires_at"] = Utc(b.CommitTokenExpiresAt),
        ["commit"] = b.CommitRequestedAt is null ? null : new Dictionary<string, object?>
        {
            ["requested_at"] = Utc(b.CommitRequestedAt),
            ["committed_by"] = b.CommittedBy,
            ["idempotency_key"] = b.IdempotencyKey,
            ["rows_done"] = b.RowsCommitted,
            ["rows_to_do"] = b.RowsValid,
            ["accepted"] = b.RowsAccepted,
            ["duplicate"] = b.RowsDuplicate,
            ["rejected"] = b.RowsRejected,
            ["committed_at"] = Utc(b.CommittedAt),
        },
    };

    private static Dictionary<string, object?> Row(ImportRowView r) => new()
    {
        ["line"] = r.Line,
        ["person"] = r.PersonText,
        ["time"] = r.TimeText,
        ["type"] = r.TypeText,
        ["person_uuid"] = r.PersonUuid?.ToString(),
        ["punch_time"] = Utc(r.PunchTime),
        ["punch_type"] = r.PunchType,
        ["request_id"] = r.RequestId,
        ["error"] = r.ErrorCode is null ? null : new Dictionary<string, object?> { ["code"] = r.ErrorCode, ["detail"] = r.ErrorDetail },
        ["outcome"] = r.Outcome,
        ["outcome_code"] = r.OutcomeCode,
        ["event_uuid"] = r.EventUuid?.ToString(),
        ["sheet_row"] = r.SheetRow,
        ["source_column"] = r.SourceColumn,
    };

    /// <summary>The commit body: exactly <c>commitToken</c> (required) and <c>idempotencyKey</c> (optional), at most 4 KiB.</summary>
    private static async Task<(string Token, string? Key)> CommitBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength > 4096) throw ImportErrors.Invalid("the commit body is at most 4 KiB");
        JsonDocument document;
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[4097];
            int read, total = 0;
            while ((read = await http.Request.Body.ReadAsync(buffer.AsMemory(0, buffer.Length - total), http.RequestAborted)) > 0)
            {
                limited.Write(buffer, 0, read);
                total += read;
                if (total > 4096) throw ImportErrors.Invalid("the commit body is at most 4 KiB");
            }
            document = JsonDocument.Parse(limited.ToArray());
        }
        catch (JsonException e)
        {
            throw ImportErrors.Invalid($"the body must be a JSON object {{\"commitToken\": …, \"idempotencyKey\": …}}: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw ImportErrors.Invalid("the body must be a JSON object {\"commitToken\": …, \"idempotencyKey\": …}");
            string? token = null, key = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "commitToken" when property.Value.ValueKind == JsonValueKind.String && token is null:
                        token = property.Value.GetString();
                        break;
                    case "idempotencyKey" when property.Value.ValueKind == JsonValueKind.String && key is null:
                        key = property.Value.GetString();
                        break;
                    case "idempotencyKey" when property.Value.ValueKind == JsonValueKind.Null && key is null:
                        break;
                    case "commitToken" or "idempotencyKey":
                        throw ImportErrors.Invalid($"{property.Name} must be a string, given once");
                    default:
                        throw ImportErrors.Invalid($"{property.Name} is not a field of the commit body; it takes commitToken, idempotencyKey");
                }
            }
            if (string.IsNullOrEmpty(token) || token.Length > 100)
                throw ImportErrors.Invalid("commitToken is required (the token prepare answered)");
            if (key is not null && (key.Length is 0 or > 200 || WireValues.TextProblem(key) is not null))
                throw ImportErrors.Invalid("idempotencyKey must be 1 to 200 characters without control characters");
            return (token, key);
        }
    }

    private static void Known(HttpContext http, params string[] names)
    {
        if (QueryParameters.Problem(http.Request.Query, names) is { } problem) throw ImportErrors.Invalid(problem);
    }

    private static string Format(string? format) =>
        format is not null && ImportFormats.All.Contains(format) ? format
        : throw ImportErrors.Invalid($"format must be one of {string.Join(", ", ImportFormats.All)}");

    /// <summary>An import id as the routes and the RPCs take it; the nil UUID names no import (prepare never makes it).</summary>
    public static Guid Id(string? value) =>
        WireValues.TryParseCanonicalUuid(value, out var id) && id != Guid.Empty ? id
        : throw ImportErrors.Invalid("import_id must be a UUID (8-4-4-4-12 hex digits) other than the nil UUID");

    private static int Int(string? value, string name, int fallback, int min, int max) =>
        value is null ? fallback
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n
        : throw ImportErrors.Invalid($"{name} must be an integer from {min} to {max}");

    private static bool Bool(string? value, string name, bool fallback) => value switch
    {
        null => fallback,
        "true" => true,
        "false" => false,
        _ => throw ImportErrors.Invalid($"{name} must be true or false"),
    };

    /// <summary>
    /// A CSV field; text from the uploaded file that a spreadsheet would run as a formula (=, +, -, @ first) gets a
    /// leading apostrophe.
    /// </summary>
    private static string Csv(string? field)
    {
        if (field is null) return "";
        if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@') field = "'" + field;
        return field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }

    private static string? Utc(DateTimeOffset? instant) =>
        instant?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);

    private static async Task<IResult> Guarded(ILoggerFactory loggers, Func<Task<IResult>> handle)
    {
        try
        {
            return await handle();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var refusal = e as ImportException ?? ImportErrors.FromDatabase(e);
            var status = ImportErrors.Statuses.HttpStatusOf(refusal.Code);
            if (status >= 500)
                loggers.CreateLogger(typeof(ImportsApi).FullName!).LogError(e, "Import request failed: {Code}: {Detail}", refusal.Code, refusal.Detail);
            return Results.Problem(detail: refusal.Detail, statusCode: status, title: refusal.Code,
                extensions: new Dictionary<string, object?> { ["code"] = refusal.Code });
        }
    }
}
