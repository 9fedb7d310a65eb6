using System.Globalization;
using Grpc.Core;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Web.Authentication;
using HrmsAttendance.Web.Components.Shared;
using HrmsAttendance.Web.Gateway;
using HrmsAttendance.Web.Localization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;

namespace HrmsAttendance.Web.Components.Pages;

/// <summary>
/// The signed-in person's month: a calendar of daily results, the selected day's punches and the monthly summary, all
/// read through the gateway with the user's token (the gateway lets an employee read only their own person). While
/// interactive it watches the month's result changes and re-reads what changed.
/// </summary>
public partial class MyMonth
{
    [Inject] private DailyResults.DailyResultsClient Results { get; set; } = default!;
    [Inject] private PunchLedger.PunchLedgerClient Ledger { get; set; } = default!;
    [Inject] private IStringLocalizer<SharedResource> L { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>yyyy-MM; the current month (Asia/Shanghai) when absent or unreadable.</summary>
    [SupplyParameterFromQuery(Name = "month")] public string? Month { get; set; }

    private string? personId;
    private bool accountRead; // until then "not linked to a person" would be a guess
    private DateOnly today;
    private DateOnly month;
    private DateOnly selected;
    private bool loading = true;
    private bool live;
    private GatewayProblem? problem;
    private MonthlySummary? summary;
    private Dictionary<DateOnly, DailyResult> results = [];
    private Dictionary<DateOnly, List<Punch>> punchesByDate = [];
    private CancellationTokenSource? watch;
    private readonly CancellationTokenSource disposed = new();

    protected override async Task OnParametersSetAsync()
    {
        personId = (await AuthenticationState).User.PersonId();
        accountRead = true;
        today = WorkCalendar.LocalDate(Time.GetUtcNow());
        var shown = DateOnly.TryParseExact((Month ?? "") + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            ? first
            : new DateOnly(today.Year, today.Month, 1);
        var monthChanged = shown != month;
        month = shown;
        if (monthChanged)
            selected = today.Year == month.Year && today.Month == month.Month ? today : month;
        if (personId is null) return;

        loading = true;
        await LoadMonthAsync(disposed.Token);
        loading = false;
        // Only in a running circuit (not while prerendering); one watch per shown month.
        if (monthChanged && RendererInfo.IsInteractive)
            StartWatching();
    }

    private void ShowMonth(DateOnly first) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("month", first.ToString("yyyy-MM", CultureInfo.InvariantCulture)));

    private async Task LoadMonthAsync(CancellationToken cancellationToken)
    {
        var from = AttendanceDisplay.IsoDate(month);
        var to = AttendanceDisplay.IsoDate(month.AddMonths(1).AddDays(-1));
        try
        {
            var resultsCall = Results.ListDailyResultsAsync(new ListDailyResultsRequest { PersonUuid = personId, FromDate = from, ToDate = to, Limit = 31 },
                cancellationToken: cancellationToken).ResponseAsync;
            var summaryCall = Results.GetMonthlySummaryAsync(new GetMonthlySummaryRequest { PersonUuid = personId, Month = month.ToString("yyyy-MM", CultureInfo.InvariantCulture) },
                cancellationToken: cancellationToken).ResponseAsync;
            var punches = await ReadPunchesAsync(from, to, cancellationToken);
            results = (await resultsCall).Results.ToDictionary(result => DateOnly.ParseExact(result.WorkDate, "yyyy-MM-dd", CultureInfo.InvariantCulture));
            summary = await summaryCall;
            punchesByDate = punches;
            problem = null;
        }
        catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled)
        {
            problem = GatewayProblem.From(exception);
        }
    }

    /// <summary>The month's punches by their local date (Asia/Shanghai), in time order.</summary>
    private async Task<Dictionary<DateOnly, List<Punch>>> ReadPunchesAsync(string from, string to, CancellationToken cancellationToken)
    {
        var byDate = new Dictionary<DateOnly, List<Punch>>();
        using var call = Ledger.ListPunches(new ListPunchesRequest { PersonUuid = personId, FromDate = from, ToDate = to, Limit = 1000 },
            cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var punch = call.ResponseStream.Current;
            var date = WorkCalendar.LocalDate(punch.PunchTime.ToDateTimeOffset());
            if (!byDate.TryGetValue(date, out var list)) byDate[date] = list = [];
            list.Add(punch);
        }
        foreach (var list in byDate.Values) list.Sort((a, b) => a.PunchTime.CompareTo(b.PunchTime));
        return byDate;
    }

    /// <summary>Watches the shown month's changes; each change re-reads the month. Ends with the page or a new month.</summary>
    private void StartWatching()
    {
        watch?.Cancel();
        watch = CancellationTokenSource.CreateLinkedTokenSource(disposed.Token);
        _ = WatchAsync(month, watch.Token);
    }

    private async Task WatchAsync(DateOnly watched, CancellationToken cancellationToken)
    {
        long? resumeAfter = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var request = new WatchDailyResultsRequest
                {
                    PersonUuid = personId,
                    FromDate = AttendanceDisplay.IsoDate(watched),
                    ToDate = AttendanceDisplay.IsoDate(watched.AddMonths(1).AddDays(-1)),
                };
                if (resumeAfter is { } sequence) request.ResumeAfter = sequence;
                using var call = Results.WatchDailyResults(request, cancellationToken: cancellationToken);
                await call.ResponseHeadersAsync; // "live" once the stream is open, not when the call is merely made
                await InvokeAsync(() => { live = true; StateHasChanged(); });
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    resumeAfter = call.ResponseStream.Current.ChangeSequence;
                    await InvokeAsync(async () =>
                    {
                        await LoadMonthAsync(cancellationToken);
                        StateHasChanged();
                    });
                }
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled || cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RpcException exception)
            {
                // Expired resume point: watch from now. Anything else (the session ended, the service away): try again later.
                if (GatewayProblem.From(exception).Code == "RESULTS_CHANGES_EXPIRED") resumeAfter = null;
                await InvokeAsync(() => { live = false; StateHasChanged(); });
                if (exception.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied) return;
            }
            try { await Task.Delay(TimeSpan.FromSeconds(15), Time, cancellationToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static readonly DayOfWeek[] WeekOrder =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    private static IEnumerable<string> WeekdayHeaders() =>
        WeekOrder.Select(day => CultureInfo.CurrentUICulture.DateTimeFormat.GetAbbreviatedDayName(day));

    /// <summary>Weeks start on Monday.</summary>
    private int LeadingBlanks() => ((int)month.DayOfWeek + 6) % 7;

    public async ValueTask DisposeAsync()
    {
        await disposed.CancelAsync();
        disposed.Dispose();
        watch?.Dispose();
        GC.SuppressFinalize(this);
    }
}
