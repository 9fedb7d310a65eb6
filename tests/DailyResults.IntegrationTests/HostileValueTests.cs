using System.Net;
using System.Text.Json;
using Grpc.Core;
using static HrmsAttendance.DailyResults.IntegrationTests.DailyResultsServiceFixture;

namespace HrmsAttendance.DailyResults.IntegrationTests;

/// <summary>
/// Dates at the ends of the calendar, uuids with whitespace around them, and query strings with parameters the route
/// does not have or has twice: INVALID_ARGUMENT / 400 RESULTS_INVALID_ARGUMENT naming the field (issue 15: the month
/// 9999-12 was UNKNOWN, "&lt;uuid&gt; " was read as the uuid, unknown parameters were ignored).
/// </summary>
[Collection(DailyResultsServiceCollection.Name)]
public sealed class HostileValueTests(DailyResultsServiceFixture fixture)
{
    private const string Code = "RESULTS_INVALID_ARGUMENT";
    private readonly string person = Guid.NewGuid().ToString();

    private static async Task AssertInvalidAsync(string field, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith($"{Code}: {field} ", e.Status.Detail);
    }

    [Theory]
    [InlineData("9999-12")]
    [InlineData("9999-01")]
    [InlineData("0001-01")]
    [InlineData("1899-12")]
    public async Task GetMonthlySummary_refuses_a_month_outside_1900_to_9998(string month) =>
        await AssertInvalidAsync("month", async () =>
            await fixture.Client.GetMonthlySummaryAsync(new() { PersonUuid = person, Month = month }, For(Guid.NewGuid())));

    [Fact]
    public async Task GetMonthlySummary_serves_the_last_month_of_the_range()
    {
        var summary = await fixture.Client.GetMonthlySummaryAsync(new() { PersonUuid = person, Month = "9998-12" }, For(Guid.NewGuid()));
        Assert.Equal(0, summary.DaysPresent);
    }

    [Theory]
    [InlineData("0001-01-01", "0001-01-01", "from_date")]
    [InlineData("9999-12-31", "9999-12-31", "from_date")]
    [InlineData("2026-01-01", "9999-12-31", "to_date")]
    public async Task ListDailyResults_refuses_dates_outside_1900_to_9998(string from, string to, string field) =>
        await AssertInvalidAsync(field, async () =>
            await fixture.Client.ListDailyResultsAsync(new() { PersonUuid = person, FromDate = from, ToDate = to }, For(Guid.NewGuid())));

    [Fact]
    public async Task GetDailyResult_refuses_a_work_date_outside_1900_to_9998() =>
        await AssertInvalidAsync("work_date", async () =>
            await fixture.Client.GetDailyResultAsync(new() { PersonUuid = person, WorkDate = "9999-12-31" }, For(Guid.NewGuid())));

    [Theory]
    [InlineData(" ")]
    [InlineData("\t")]
    [InlineData("\u00a0")]
    public async Task Every_call_refuses_a_person_uuid_with_whitespace_around_it(string padding)
    {
        var padded = person + padding;
        await AssertInvalidAsync("person_uuid", async () =>
            await fixture.Client.ListDailyResultsAsync(new() { PersonUuid = padded, FromDate = "2026-01-01" }, For(Guid.NewGuid())));
        await AssertInvalidAsync("person_uuid", async () =>
            await fixture.Client.GetDailyResultAsync(new() { PersonUuid = padded, WorkDate = "2026-01-01" }, For(Guid.NewGuid())));
        await AssertInvalidAsync("person_uuid", async () =>
            await fixture.Client.GetMonthlySummaryAsync(new() { PersonUuid = padded, Month = "2026-01" }, For(Guid.NewGuid())));
    }

    [Theory]
    [InlineData("person_uuid={0}&verbose=1", "verbose")]
    [InlineData("person_uuid={0}&PERSON=1", "PERSON")]
    [InlineData("person_uuid={0}&from_date=2026-01-01&from_date=2026-01-01", "from_date")]
    [InlineData("person_uuid={0}&person_uuid={0}", "person_uuid")]
    [InlineData("person_uuid={0}%20", "person_uuid")]
    [InlineData("person_uuid={0}&from_date=9999-12-31", "from_date")]
    [InlineData("person_uuid={0}&from_date=2026-01-01%00", "from_date")]
    public async Task Http_refuses_unknown_repeated_and_hostile_parameters_naming_them(string query, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/daily-results?" + string.Format(query, person));
        request.Headers.Authorization = new("Bearer", DailyResultsServiceFixture.AccessTokens.Issue(Guid.NewGuid()));

        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Code, json.RootElement.GetProperty("code").GetString());
        Assert.StartsWith(field + " ", json.RootElement.GetProperty("detail").GetString());
    }
}
