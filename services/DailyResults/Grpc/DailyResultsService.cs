using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.DailyResults.Data;
using HrmsAttendance.DailyResults.Model;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.DailyResults.Grpc;

/// <summary>
/// <c>attendance.results.v1.DailyResults</c>: validates the request, takes the caller's tenant from its token and reads the
/// ledger's daily results. Read-only; refusals carry "CODE: detail" with the status from <see cref="ResultsErrors"/>.
/// </summary>
public sealed class DailyResultsService(DailyResultStore store, TimeProvider clock)
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
        var rows = await Database(() => store.ListAsync(caller.TenantId, person, from, to, limit, context.CancellationToken));
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
        var row = await Database(() => store.GetAsync(caller.TenantId, person, workDate, context.CancellationToken));
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
        var rows = await Database(() => store.ListAsync(caller.TenantId, person, first, last, 31, context.CancellationToken));
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

    public static DailyResult ToMessage(DailyResultRow row)
    {
        var message = new DailyResult
        {
            PersonUuid = row.PersonUuid.ToString(),
            WorkDate = row.WorkDate.ToString("yyyy-MM-dd"),
            Status = row.Status switch
            {
                "PRESENT" => DailyStatus.Present,
                "ABSENT" => DailyStatus.Absent,
                "EXCEPTION" => DailyStatus.Exception,
                _ => DailyStatus.Unspecified,
            },
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
        message.Flags.AddRange(row.Flags.Distinct().Order(StringComparer.Ordinal).Select(f => f switch
        {
            "ABSENT" => DailyFlag.Absent,
            "MISSING_IN" => DailyFlag.MissingIn,
            "MISSING_OUT" => DailyFlag.MissingOut,
            "LATE" => DailyFlag.Late,
            "EARLY_LEAVE" => DailyFlag.EarlyLeave,
            _ => DailyFlag.Unspecified,
        }));
        return message;
    }

    private static async Task<T> Database<T>(Func<Task<T>> read)
    {
        try { return await read(); }
        catch (Exception e) when (e is not OperationCanceledException) { throw ResultsErrors.FromDatabase(e); }
    }
}
