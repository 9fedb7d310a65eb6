using HrmsAttendance.DailyResults.Data;
using HrmsAttendance.DailyResults.Model;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.DailyResults.Http;

/// <summary>
/// <c>GET /api/daily-results</c>: seed 004 §5.3's internal API, exactly its shape (snake_case, UTC
/// <c>…Z</c> timestamps, nulls as null). Same token, validation and stable codes as gRPC; a parameter the route
/// does not have, or one given twice, is refused too. Refusals are problem details carrying the code.
/// </summary>
public static class DailyResultsApi
{
    public static IEndpointRouteBuilder MapDailyResultsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/daily-results", ListAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext http, DailyResultStore store, TimeProvider clock, ILoggerFactory loggers,
        string? person_uuid, string? from_date, string? to_date, string? limit)
    {
        try
        {
            var caller = http.Caller();
            if (QueryParameters.Problem(http.Request.Query, "person_uuid", "from_date", "to_date", "limit") is { } queryProblem)
                throw ResultsErrors.Invalid(queryProblem);
            var person = Inputs.Person(person_uuid);
            var (from, to) = Inputs.Range(from_date, to_date, clock.GetUtcNow());
            var max = Inputs.Limit(limit);

            IReadOnlyList<DailyResultRow> rows;
            try { rows = await store.ListAsync(caller.TenantId, person, from, to, max, http.RequestAborted); }
            catch (Exception e) when (e is not OperationCanceledException) { throw ResultsErrors.FromDatabase(e); }

            // Dictionaries keep the seed's field names and order verbatim, independent of any naming policy.
            var body = new Dictionary<string, object?>
            {
                ["tenant"] = caller.TenantId.ToString(),
                ["person_uuid"] = person.ToString(),
                ["from_date"] = from.ToString("yyyy-MM-dd"),
                ["to_date"] = to.ToString("yyyy-MM-dd"),
                ["results"] = rows.Select(r => new Dictionary<string, object?>
                {
                    ["work_date"] = r.WorkDate.ToString("yyyy-MM-dd"),
                    ["status"] = r.Status,
                    ["flags"] = r.Flags,
                    ["first_in_time"] = Utc(r.FirstInTime),
                    ["last_out_time"] = Utc(r.LastOutTime),
                    ["worked_minutes"] = r.WorkedMinutes,
                    ["late_minutes"] = r.LateMinutes,
                    ["early_leave_minutes"] = r.EarlyLeaveMinutes,
                    ["ruleset_version"] = r.RulesetVersion,
                    ["computed_at"] = Utc(r.ComputedAt),
                    ["input_punch_count"] = r.InputPunchCount,
                    ["input_max_punch_event_db_id"] = r.InputMaxPunchEventDbId,
                    ["input_max_punch_time"] = Utc(r.InputMaxPunchTime),
                }).ToList(),
            };
            return Results.Json(body);
        }
        catch (ResultsException e)
        {
            var status = ResultsErrors.HttpStatusOf(e.Code);
            if (status >= 500)
                loggers.CreateLogger(typeof(DailyResultsApi).FullName!)
                    .LogError(e.InnerException ?? e, "Daily results request failed: {Code}: {Detail}", e.Code, e.Detail);
            return Results.Problem(detail: e.Detail, statusCode: status, title: e.Code,
                extensions: new Dictionary<string, object?> { ["code"] = e.Code });
        }
    }

    /// <summary>UTC ISO-8601 with a Z (sub-second digits only when present), or null.</summary>
    private static string? Utc(DateTimeOffset? instant) =>
        instant?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
