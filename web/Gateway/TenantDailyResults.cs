using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Results.V1;

namespace HrmsAttendance.Web.Gateway;

/// <summary>The filters of the admin's daily results: a date range of at most <see cref="TenantDailyResults.MaxDays"/> days.</summary>
public sealed record DailyResultsFilter(DateOnly From, DateOnly To, DailyStatus? Status = null, DailyFlag? Flag = null, string PersonSearch = "");

public sealed record PersonDailyResult(Person Person, DailyResult Result);

/// <summary>One page of persons with their results in the range (the persons' page token goes on to the next page).</summary>
public sealed record DailyResultsPage(IReadOnlyList<PersonDailyResult> Rows, string NextPersonsPageToken);

/// <summary>
/// Everyone's daily results: daily-results answers per person, so the persons come from identity-mapping a page at a
/// time (matching the person filter) and each one's results for the range are read and filtered by status and flag.
/// </summary>
public sealed class TenantDailyResults(IdentityMapping.IdentityMappingClient identity, DailyResults.DailyResultsClient results)
{
    public const int MaxDays = 62;
    public const int PersonsPerPage = 50;

    public static string? RangeProblem(DailyResultsFilter filter) =>
        filter.To < filter.From ? "to_before_from"
        : filter.To.DayNumber - filter.From.DayNumber + 1 > MaxDays ? "range_too_long"
        : null;

    public async Task<DailyResultsPage> ReadPageAsync(DailyResultsFilter filter, string personsPageToken, CancellationToken cancellationToken)
    {
        var persons = await identity.ListPersonsAsync(new ListPersonsRequest
        {
            Search = filter.PersonSearch.Trim(), PageSize = PersonsPerPage, PageToken = personsPageToken,
        }, cancellationToken: cancellationToken);

        var from = filter.From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var to = filter.To.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var rows = new List<PersonDailyResult>();
        // A few at a time: each is a call through the gateway with the user's rate limit.
        foreach (var batch in persons.Persons.Chunk(4))
        {
            var answers = await Task.WhenAll(batch.Select(async person => (person, await results.ListDailyResultsAsync(
                new ListDailyResultsRequest { PersonUuid = person.PersonUuid, FromDate = from, ToDate = to, Limit = MaxDays },
                cancellationToken: cancellationToken))));
            foreach (var (person, answer) in answers)
                rows.AddRange(answer.Results.Where(result => Matches(filter, result)).Select(result => new PersonDailyResult(person, result)));
        }
        rows.Sort((a, b) => string.CompareOrdinal(a.Result.WorkDate, b.Result.WorkDate) is var byDate and not 0
            ? byDate
            : string.CompareOrdinal(a.Person.EmployeeNumber, b.Person.EmployeeNumber));
        return new DailyResultsPage(rows, persons.NextPageToken);
    }

    private static bool Matches(DailyResultsFilter filter, DailyResult result) =>
        (filter.Status is not { } status || result.Status == status) && (filter.Flag is not { } flag || result.Flags.Contains(flag));
}
