using System.Net.ServerSentEvents;
using HrmsAttendance.DailyResults.Changes;
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
        app.MapGet("/api/daily-results/changes", WatchAsync);
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

            var rows = await ResultsErrors.ReadAsync(() => store.ListAsync(caller.TenantId, person, from, to, max, http.RequestAborted));

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
            return Problem(e, loggers);
        }
    }

    /// <summary>
    /// <c>GET /api/daily-results/changes</c>: the live change feed as Server-Sent Events (<c>event: daily-result-changed</c>,
    /// <c>id:</c> the change_sequence, <c>data:</c> the change as JSON), filtered by <c>person_uuid</c>, <c>from_date</c>,
    /// <c>to_date</c> (all optional); a reconnecting EventSource resumes after its <c>Last-Event-ID</c> (or
    /// <c>resume_after</c>). A <c>heartbeat</c> event when the stream opens and every 15 s when idle keeps proxies from
    /// closing the stream.
    /// </summary>
    private static async Task<IResult> WatchAsync(HttpContext http, ChangeWatcher changes, ILoggerFactory loggers,
        string? person_uuid, string? from_date, string? to_date, string? resume_after)
    {
        try
        {
            var caller = http.Caller();
            if (QueryParameters.Problem(http.Request.Query, "person_uuid", "from_date", "to_date", "resume_after") is { } queryProblem)
                throw ResultsErrors.Invalid(queryProblem);
            var filter = Inputs.Watch(person_uuid, from_date, to_date);
            var resumeAfter = Inputs.ResumeAfter("Last-Event-ID", http.Request.Headers["Last-Event-ID"].ToString())
                              ?? Inputs.ResumeAfter("resume_after", resume_after);
            var after = await changes.StartAfterAsync(caller.TenantId, resumeAfter, http.RequestAborted);
            return TypedResults.ServerSentEvents(Events(changes.WatchAsync(caller.TenantId, filter, after, http.RequestAborted), http.RequestAborted));
        }
        catch (ResultsException e)
        {
            return Problem(e, loggers);
        }
    }

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    private static async IAsyncEnumerable<SseItem<object?>> Events(IAsyncEnumerable<DailyResultChangeRow> changes,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        // At once: a response's headers leave with its first event, and a caller (or the gateway) should know its stream
        // is open before the first change.
        yield return new SseItem<object?>(null, "heartbeat");
        await using var next = changes.GetAsyncEnumerator(ct);
        var moved = next.MoveNextAsync().AsTask();
        while (true)
        {
            if (await Task.WhenAny(moved, Task.Delay(HeartbeatInterval, ct)) != moved)
            {
                yield return new SseItem<object?>(null, "heartbeat");
                continue;
            }
            bool more;
            try { more = await moved; }
            catch (OperationCanceledException) { yield break; }
            if (!more) yield break;
            var change = next.Current;
            yield return new SseItem<object?>(new Dictionary<string, object?>
            {
                ["change_sequence"] = change.ChangeSequence,
                ["person_uuid"] = change.PersonUuid.ToString(),
                ["work_date"] = change.WorkDate.ToString("yyyy-MM-dd"),
                ["status"] = change.Status,
                ["flags"] = change.Flags.Distinct().Order(StringComparer.Ordinal).ToArray(),
                ["input_punch_count"] = change.InputPunchCount,
                ["input_max_punch_event_sequence"] = change.InputMaxPunchEventSequence,
                ["occurred_at"] = Utc(change.OccurredAt),
                ["message_id"] = change.MessageId.ToString(),
            }, "daily-result-changed")
            {
                EventId = change.ChangeSequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            moved = next.MoveNextAsync().AsTask();
        }
    }

    private static IResult Problem(ResultsException e, ILoggerFactory loggers)
    {
        var status = ResultsErrors.HttpStatusOf(e.Code);
        if (status >= 500)
            loggers.CreateLogger(typeof(DailyResultsApi).FullName!)
                .LogError(e.InnerException ?? e, "Daily results request failed: {Code}: {Detail}", e.Code, e.Detail);
        return Results.Problem(detail: e.Detail, statusCode: status, title: e.Code,
            extensions: new Dictionary<string, object?> { ["code"] = e.Code });
    }

    /// <summary>UTC ISO-8601 with a Z (sub-second digits only when present), or null.</summary>
    private static string? Utc(DateTimeOffset? instant) =>
        instant?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
