using System.Globalization;
using CsvHelper;
using Grpc.Core;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Web.Authentication;
using HrmsAttendance.Web.Components.Shared;

namespace HrmsAttendance.Web.Gateway;

/// <summary>
/// Files a tenant-admin downloads: the import template, an import's report and the daily results as CSV. Plain HTTP
/// endpoints (a browser download), reading through the gateway with the session's token like the pages.
/// </summary>
public static class AdminDownloads
{
    public static void MapAdminDownloads(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(policy => policy.RequireRole(UserRoles.TenantAdmin));
        admin.MapGet("/imports/template", ImportTemplateAsync);
        admin.MapGet("/imports/report", ImportReportAsync);
        admin.MapGet("/daily-results.csv", DailyResultsCsvAsync);
    }

    private static async Task<IResult> ImportTemplateAsync(Imports.ImportsClient imports, string? format, CancellationToken cancellationToken)
    {
        try
        {
            var template = await imports.GetTemplateAsync(new GetTemplateRequest { Format = format ?? "csv" }, cancellationToken: cancellationToken);
            return TypedResults.File(template.Content.ToByteArray(), "text/csv; charset=utf-8", template.FileName);
        }
        catch (RpcException exception)
        {
            return Refused(exception);
        }
    }

    private static async Task<IResult> ImportReportAsync(HttpContext context, Imports.ImportsClient imports, string? import_id, CancellationToken cancellationToken)
    {
        try
        {
            using var call = imports.GetImportReport(new GetImportRequest { ImportId = import_id ?? "" }, cancellationToken: cancellationToken);
            // The first row (or the refusal) before anything is written, so that a refusal is still an error response.
            var hasRow = await call.ResponseStream.MoveNext(cancellationToken);
            await using var writer = await StartCsvAsync(context, $"import-{import_id}-report.csv");
            foreach (var header in new[] { "line", "person", "time", "type", "person_uuid", "outcome", "outcome_code", "error_code", "error_detail", "event_uuid" })
                writer.WriteField(header);
            await writer.NextRecordAsync();
            while (hasRow)
            {
                var row = call.ResponseStream.Current;
                foreach (var field in new object[] { row.Line, row.Person, row.Time, row.Type, row.PersonUuid, row.Outcome, row.OutcomeCode, row.ErrorCode, row.ErrorDetail, row.EventUuid })
                    writer.WriteField(field);
                await writer.NextRecordAsync();
                hasRow = await call.ResponseStream.MoveNext(cancellationToken);
            }
            return TypedResults.Empty;
        }
        catch (RpcException exception) when (!context.Response.HasStarted)
        {
            return Refused(exception);
        }
    }

    private static async Task<IResult> DailyResultsCsvAsync(HttpContext context, TenantDailyResults query,
        string? from, string? to, string? status, string? flag, string? person, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var fromDate)
            || !DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var toDate))
            return Problem(StatusCodes.Status400BadRequest, "WEB_INVALID_ARGUMENT", "from and to must be YYYY-MM-DD");
        DailyStatus? statusFilter = Enum.TryParse<DailyStatus>(status, out var s) ? s : null;
        DailyFlag? flagFilter = Enum.TryParse<DailyFlag>(flag, out var f) ? f : null;
        if ((status is { Length: > 0 } && statusFilter is null) || (flag is { Length: > 0 } && flagFilter is null))
            return Problem(StatusCodes.Status400BadRequest, "WEB_INVALID_ARGUMENT", "status or flag is not one of the contract's values");
        var filter = new DailyResultsFilter(fromDate, toDate, statusFilter, flagFilter, person ?? "");
        if (TenantDailyResults.RangeProblem(filter) is { } rangeProblem)
            return Problem(StatusCodes.Status400BadRequest, "WEB_INVALID_ARGUMENT", $"{rangeProblem}: at most {TenantDailyResults.MaxDays} days, to not before from");

        try
        {
            // Every page of persons is read before the first byte: a refusal midway must not leave half a file.
            var rows = new List<PersonDailyResult>();
            var token = "";
            do
            {
                var page = await query.ReadPageAsync(filter, token, cancellationToken);
                rows.AddRange(page.Rows);
                token = page.NextPersonsPageToken;
            } while (token.Length > 0);

            await using var writer = await StartCsvAsync(context, $"daily-results-{from}-{to}.csv");
            foreach (var header in new[] { "work_date", "employee_number", "display_name", "person_uuid", "status", "flags", "first_in", "last_out", "worked_minutes", "late_minutes", "early_leave_minutes" })
                writer.WriteField(header);
            await writer.NextRecordAsync();
            foreach (var (p, result) in rows)
            {
                foreach (var field in new object[]
                         {
                             result.WorkDate, p.EmployeeNumber, p.DisplayName, p.PersonUuid, StatusName(result.Status),
                             string.Join(' ', result.Flags.Select(FlagName)), AttendanceDisplay.LocalDateTime(result.FirstInTime),
                             AttendanceDisplay.LocalDateTime(result.LastOutTime), result.WorkedMinutes, result.LateMinutes, result.EarlyLeaveMinutes,
                         })
                    writer.WriteField(field);
                await writer.NextRecordAsync();
            }
            return TypedResults.Empty;
        }
        catch (RpcException exception)
        {
            return Refused(exception);
        }
    }

    /// <summary>The kernel's names (PRESENT, LATE, …), as in the database and the JSON API.</summary>
    private static string StatusName(DailyStatus status) => status switch
    {
        DailyStatus.Present => "PRESENT", DailyStatus.Absent => "ABSENT", DailyStatus.Exception => "EXCEPTION", _ => "",
    };

    private static string FlagName(DailyFlag flag) => flag switch
    {
        DailyFlag.Absent => "ABSENT", DailyFlag.MissingIn => "MISSING_IN", DailyFlag.MissingOut => "MISSING_OUT",
        DailyFlag.Late => "LATE", DailyFlag.EarlyLeave => "EARLY_LEAVE", _ => "",
    };

    /// <summary>UTF-8 with a BOM (Excel opens it as UTF-8: names are Chinese).</summary>
    private static async Task<CsvWriter> StartCsvAsync(HttpContext context, string fileName)
    {
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("attachment")
        {
            FileNameStar = fileName,
        }.ToString();
        await context.Response.Body.WriteAsync(new byte[] { 0xEF, 0xBB, 0xBF });
        return new CsvWriter(new StreamWriter(context.Response.Body, new System.Text.UTF8Encoding(false), leaveOpen: true), CultureInfo.InvariantCulture);
    }

    private static IResult Refused(RpcException exception)
    {
        var problem = GatewayProblem.From(exception);
        var status = exception.StatusCode switch
        {
            StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
            StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
            StatusCode.NotFound => StatusCodes.Status404NotFound,
            StatusCode.InvalidArgument or StatusCode.FailedPrecondition => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status502BadGateway,
        };
        return Problem(status, problem.Code, problem.Detail);
    }

    private static IResult Problem(int status, string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code });
}
