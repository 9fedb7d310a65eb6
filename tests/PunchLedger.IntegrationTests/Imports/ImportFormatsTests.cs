using System.Globalization;
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

    [Fact]
    public void The_common_spellings_read_digit_by_digit_accept_and_read_exactly_what_the_format_list_does()
    {
        // TryParseCommonLocal only shortcuts the format list: whatever it accepts, DateTime.TryParseExact with the same
        // spelling accepts as the same local time. Edge cases by hand, then random strings of the two shapes with
        // random digits (impossible dates and times among them) and a random character swapped in.
        string[] edges =
        [
            "2026-03-02 09:01", "2026-03-02 09:01:59", "2024-02-29 00:00", "2026-02-29 00:00", "2026-04-31 12:00",
            "2026-13-01 12:00", "2026-00-10 12:00", "2026-03-00 12:00", "2026-03-02 24:00", "2026-03-02 23:60",
            "2026-03-02 23:59:60", "0000-01-01 00:00", "0001-01-01 00:00", "9999-12-31 23:59:59", "2026-03-02T09:01",
            "2026/03/02 09:01", "2026-3-2 9:01", " 2026-03-02 09:01", "2026-03-02 09:01 ", "2026-03-02 ٠٩:01",
            "2026-03-02 09:01:5", "2026-03-02 09:0a", "+026-03-02 09:01", "2026-03-02  9:01",
        ];
        var random = new Random(16);
        var generated = Enumerable.Range(0, 20_000).Select(i =>
        {
            // (each field around its range's ends: month 0-13, day 0-32, hour 0-25, minute and second 0-61; any year)
            var year = i % 50 == 0 ? random.Next(10_000) : 1995 + random.Next(40);
            var text = $"{year:D4}-{random.Next(14):D2}-{random.Next(33):D2} {random.Next(26):D2}:{random.Next(62):D2}"
                + (i % 2 == 0 ? "" : $":{random.Next(62):D2}");
            var chars = text.ToCharArray();
            if (i % 5 == 0) chars[random.Next(chars.Length)] = " -:T/x9"[random.Next(7)];
            return new string(chars);
        });
        var accepted = 0;
        foreach (var text in edges.Concat(generated))
        {
            var exact = DateTime.TryParseExact(text, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var expected);
            if (ImportFormats.TryParseCommonLocal(text, out var local))
            {
                accepted++;
                Assert.True(exact, $"{text}: read digit by digit, refused by the format list");
                Assert.Equal(expected, local);
                Assert.Equal(DateTimeKind.Unspecified, local.Kind);
            }
            else Assert.False(exact, $"{text}: refused digit by digit, read by the format list");
        }
        Assert.InRange(accepted, 5_000, 20_000); // the random strings do reach the reading, not only its refusals
        Assert.True(ImportFormats.TryParseCommonLocal("2026-03-02 09:01", out var minute) && minute == new DateTime(2026, 3, 2, 9, 1, 0));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 1, 0, TimeSpan.FromHours(8)), ImportFormats.ParseInstant("2026-03-02 09:01"));
    }
}
