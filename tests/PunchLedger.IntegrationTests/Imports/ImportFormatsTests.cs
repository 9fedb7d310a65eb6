using HrmsAttendance.PunchLedger.Imports;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Imports;

/// <summary>Our CSV's rows as the parse reads them, without a database.</summary>
public sealed class ImportFormatsTests
{
    [Fact]
    public async Task A_local_time_at_the_ends_of_the_calendar_is_a_bad_time_not_a_failed_parse()
    {
        // 0001-01-01 00:30 in Shanghai is before year 1 in UTC: the row's IMPORT_ROW_BAD_TIME, not an exception out of the
        // parse (the worker would then retry the batch for ever). The rows around it are read as usual.
        var csv = """
            employee_number,punch_time,punch_type
            E1,0001-01-01 00:30,IN
            E1,9999-12-31 23:59,OUT
            E1,2026-03-02 09:00,IN

            """;
        var rows = new List<ParsedRow>();
        await foreach (var row in ImportFormats.ReadAsync(new StringReader(csv), ImportFormats.Csv, Guid.NewGuid(),
                           new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), CancellationToken.None))
            rows.Add(row);

        Assert.Equal([ImportErrors.RowCodes.BadTime, ImportErrors.RowCodes.OutOfRange, null], rows.Select(r => r.ErrorCode));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8)), rows[2].PunchTime);
        Assert.Null(ImportFormats.ParseInstant("0001-01-01 00:30"));
    }
}
