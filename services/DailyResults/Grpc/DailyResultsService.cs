using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.DailyResults.Changes;
using HrmsAttendance.DailyResults.Data;
using HrmsAttendance.DailyResults.Model;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.DailyResults.Grpc;

/// <summary>
/// <c>attendance.results.v1.DailyResults</c>: validates the request, takes the caller's tenant from its token and reads the
/// ledger's daily results. Read-only; refusals carry "CODE: detail" with the status from <see cref="ResultsErrors"/>.
/// </summary>
public sealed class DailyResultsService(DailyResultStore store, ChangeWatcher changes, TimeProvider clock)
    : Contracts.Results.V1.DailyResults.DailyResultsBase
{
    public static readonly ActivitySource ActivitySource = new("HrmsAttendance.DailyResults");

    public override async Task<ListDailyResultsResponse> ListDailyResults(ListDailyResultsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var person = Inputs.Person(request.PersonUuid);
        var (from, to) = Inputs.Range(request.FromDate, request.ToDate, clock.GetUtcNow());
        var limit = Inputs.Limit(request.Limit);

        using var activity = ActivitySource.StartActivity("results.list");
        activity?.SetTag("attendance.tenant_id", caller.TenantId);
        var rows = await ResultsErrors.ReadAsync(() => store.ListAsync(caller.TenantId, person, from, to, limit, context.CancellationToken));
        var response = new ListDailyResultsResponse();
        response.Results.AddRange(rows.Select(ToMessage));
        return response;
    }

    public override async Task<DailyResult> GetDailyResult(GetDailyResultRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var person = Inputs.Person(request.PersonUuid);
        var workDate = Inputs.Date("work_date", request.WorkDate);

        using var activity = ActivitySource.StartActivity("results.get");
        activity?.SetTag("attendance.tenant_id", caller.TenantId);
        var row = await ResultsErrors.ReadAsync(() => store.GetAsync(caller.TenantId, person, workDate, context.CancellationToken));
        return row is null
            ? throw new ResultsException(ResultsErrors.NotFound, $"no result for person {person} on {workDate:yyyy-MM-dd}")
            : ToMessage(row);
    }

    public override async Task<MonthlySummary> GetMonthlySummary(GetMonthlySummaryRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var person = Inputs.Person(request.PersonUuid);
        var (first, last) = Inputs.Month(request.Month);

        using var activity = ActivitySource.StartActivity("results.monthly_summary");
        activity?.SetTag("attendance.tenant_id", caller.TenantId);
        var rows = await ResultsErrors.ReadAsync(() => store.ListAsync(caller.TenantId, person, first, last, 31, context.CancellationToken));
        return new MonthlySummary
        {
            PersonUuid = person.ToString(),
            Month = request.Month,
            DaysPresent = rows.Count(r => r.Status == "PRESENT"),
            DaysException = rows.Count(r => r.Status == "EXCEPTION"),
            DaysAbsent = rows.Count(r => r.Status == "ABSENT"),
            WorkedMinutes = rows.Sum(r => r.WorkedMinutes),
            LateMinutes = rows.Sum(r => r.LateMinutes),
            EarlyLeaveMinutes = rows.Sum(r => r.EarlyLeaveMinutes),
            MissingPunchDays = rows.Count(r => r.Flags.Contains("MISSING_IN") || r.Flags.Contains("MISSING_OUT")),
        };
    }

    public override async Task WatchDailyResults(WatchDailyResultsRequest request, IServerStreamWriter<DailyResultChange> responseStream,
        ServerCallContext context)
    {
        var caller = context.Caller();
        var filter = Inputs.Watch(request.PersonUuid, request.FromDate, request.ToDate);
        long? resumeAfter = request.HasResumeAfter ? Inputs.ResumeAfter("resume_after", request.ResumeAfter) : null;
        var after = await changes.StartAfterAsync(caller.TenantId, resumeAfter, context.CancellationToken);

        // Headers at once: the caller knows the watch is on before the first change.
        await context.WriteResponseHeadersAsync([]);
        try
        {
            await foreach (var change in changes.WatchAsync(caller.TenantId, filter, after, context.CancellationToken))
                await responseStream.WriteAsync(ToMessage(change), context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The caller went away: the watch is over.
        }
    }

    public static DailyResultChange ToMessage(DailyResultChangeRow row)
    {
        var message = new DailyResultChange
        {
            ChangeSequence = row.ChangeSequence,
            PersonUuid = row.PersonUuid.ToString(),
            WorkDate = row.WorkDate.ToString("yyyy-MM-dd"),
            Status = StatusOf(row.Status),
            InputPunchCount = row.InputPunchCount,
            InputMaxPunchEventSequence = row.InputMaxPunchEventSequence,
            OccurredAt = Timestamp.FromDateTimeOffset(row.OccurredAt),
            MessageId = row.MessageId.ToString(),
        };
        message.Flags.AddRange(FlagsOf(row.Flags));
        return message;
    }

    public static DailyResult ToMessage(DailyResultRow row)
    {
        var message = new DailyResult
        {
            PersonUuid = row.PersonUuid.ToString(),
            WorkDate = row.WorkDate.ToString("yyyy-MM-dd"),
            Status = StatusOf(row.Status),
            FirstInTime = row.FirstInTime is { } firstIn ? Timestamp.FromDateTimeOffset(firstIn) : null,
            LastOutTime = row.LastOutTime is { } lastOut ? Timestamp.FromDateTimeOffset(lastOut) : null,
            WorkedMinutes = row.WorkedMinutes,
            LateMinutes = row.LateMinutes,
            EarlyLeaveMinutes = row.EarlyLeaveMinutes,
            RulesetVersion = row.RulesetVersion,
            ComputedAt = Timestamp.FromDateTimeOffset(row.ComputedAt),
            InputPunchCount = row.InputPunchCount,
            InputMaxPunchEventSequence = row.InputMaxPunchEventDbId ?? 0,
            InputMaxPunchTime = row.InputMaxPunchTime is { } maxTime ? Timestamp.FromDateTimeOffset(maxTime) : null,
        };
        message.Flags.AddRange(FlagsOf(row.Flags));
        return message;
    }

    private static DailyStatus StatusOf(string status) => status switch
    {
        "PRESENT" => DailyStatus.Present,
        "ABSENT" => DailyStatus.Absent,
        "EXCEPTION" => DailyStatus.Exception,
        _ => DailyStatus.Unspecified,
    };

    /// <summary>Sorted by name, no duplicates.</summary>
    private static IEnumerable<DailyFlag> FlagsOf(IEnumerable<string> flags) =>
        flags.Distinct().Order(StringComparer.Ordinal).Select(f => f switch
        {
            "ABSENT" => DailyFlag.Absent,
            "MISSING_IN" => DailyFlag.MissingIn,
            "MISSING_OUT" => DailyFlag.MissingOut,
            "LATE" => DailyFlag.Late,
            "EARLY_LEAVE" => DailyFlag.EarlyLeave,
            _ => DailyFlag.Unspecified,
        });
}
