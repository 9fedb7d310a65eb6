using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using HrmsAttendance.Contracts;
using HrmsAttendance.PunchLedger.Data;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>What the parse found a DingTalk file to be: container (xlsx, csv), layout, sheet, header rows.</summary>
public sealed record DingTalkDetection(string Container, string Layout, string? Sheet, int HeaderRow, int LastHeaderRow);

/// <summary>
/// DingTalk's attendance exports as admins download them (issue 16): the .xlsx workbook (月度汇总, 打卡时间, 原始记录,
/// 每日统计 — or one of them alone) or a CSV re-save of one sheet (UTF-8 with or without BOM, or GBK). The layout is
/// found from the header rows, never from file or sheet names:
/// <list type="bullet">
/// <item><see cref="RawRecords"/> (原始记录): a column 打卡时间, one punch per row, no direction (RAW); title rows above the header are skipped;</item>
/// <item><see cref="DailyStatistics"/> (每日统计): columns 上班N打卡时间 / 下班N打卡时间 (N = 1..3) with their 打卡结果 and a
/// date column (日期 or 考勤日期), one person-day per row under a header of one or two rows (merged cells): 上班 gives
/// IN, 下班 gives OUT; <c>次日 HH:MM</c> is the next day; an empty time (缺卡, 未打卡) is no punch.</item>
/// </list>
/// A workbook gives its first 原始记录-shaped sheet, else its first 每日统计-shaped one. The person is the row's UserId
/// (its DingTalk identity link) or, without one, its 工号 (an employee number); names are never read.
/// </summary>
public static class DingTalkExports
{
    public const string RawRecords = "RAW_RECORDS";
    public const string DailyStatistics = "DAILY_STATISTICS";
    public const string Xlsx = "xlsx";
    public const string Csv = "csv";

    /// <summary>How far down a sheet the header is looked for (DingTalk puts a title and a 报表生成时间 row above it).</summary>
    public const int HeaderSearchRows = 30;

    /// <summary>Lines of a 每日统计 row: row × this + slot (1..6: 上班1, 下班1, 上班2, 下班2, 上班3, 下班3; 0: the row had no punch).</summary>
    public const int LinesPerDailyRow = 8;

    /// <summary>
    /// The rows of a stored DingTalk file: an .xlsx (recognized by its zip signature) or CSV text in
    /// <paramref name="csvEncoding"/>. <paramref name="detected"/> hears the detected layout before the first row.
    /// Throws IMPORT_FILE_BAD_HEADER when no sheet has a DingTalk header, IMPORT_FILE_UNREADABLE when the file cannot be read.
    /// </summary>
    public static async IAsyncEnumerable<ParsedRow> ReadAsync(Stream file, Encoding csvEncoding, DateTimeOffset now,
        Action<DingTalkDetection> detected, [EnumeratorCancellation] CancellationToken ct, ParseTimings? timings = null)
    {
        timings ??= new ParseTimings();
        var head = new byte[4];
        var filled = 0;
        while (filled < head.Length && await file.ReadAsync(head.AsMemory(filled), ct) is var n and > 0) filled += n;
        var prefixed = new PrefixedStream(head.AsMemory(0, filled), file);
        var isZip = filled == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        await using var sheet = isZip
            ? await SpreadsheetSources.OpenWorkbookAsync(prefixed, timings, ct)
            : await SpreadsheetSources.OpenCsvAsync(prefixed, csvEncoding, timings);
        var header = sheet.Header;
        detected(new DingTalkDetection(isZip ? Xlsx : Csv, header.Layout, sheet.SheetName, header.HeaderRow, header.LastHeaderRow));
        await foreach (var row in sheet.DataRowsAsync(ct))
        {
            var started = Stopwatch.GetTimestamp();
            if (row.Cells.All(c => CellText(c) is null)) continue; // an empty row
            if (header.Layout == RawRecords)
            {
                var record = ReadRawRecord(row, header, now);
                timings.ConvertTicks += Stopwatch.GetTimestamp() - started;
                yield return record;
            }
            else
            {
                var punches = ReadDailyRow(row, header, now).ToList();
                timings.ConvertTicks += Stopwatch.GetTimestamp() - started;
                foreach (var punch in punches) yield return punch;
            }
        }
    }

    // --------------------------------------------------------------------------------------------------------------
    // header detection
    // --------------------------------------------------------------------------------------------------------------

    /// <summary>A sheet's header: its layout, where it is, and its columns by normalized name.</summary>
    public sealed record Header(string Layout, int HeaderRow, int LastHeaderRow, IReadOnlyDictionary<string, int> Columns)
    {
        // A name already in normal form (as every name this class asks for) is looked up as it is, without normalizing it per row.
        public int? Column(string name) => Columns.TryGetValue(name, out var i) || Columns.TryGetValue(Normalize(name), out i) ? i : null;

        /// <summary>
        /// The columns a data row is read from (<see cref="ReadRawRecord"/>, <see cref="ReadDailyRow"/>, <see cref="Person"/>):
        /// a workbook's other cells need not be read at all. A column read there must be named here.
        /// </summary>
        public IReadOnlyList<int> ColumnsRead =>
            [.. new[] { "打卡时间", "考勤日期", "日期", "userid", "工号" }
                .Concat(DailySlots.SelectMany(s => new[] { s.TimeColumn, s.ResultColumn }))
                .Select(Column).OfType<int>().Distinct()];
    }

    /// <summary>
    /// Finds the header among a sheet's first rows: the first row that names a person column (UserId, 工号) and, on
    /// its own or with the row under it (a two-level header: the second level fills the columns the first left empty
    /// or grouped), the punch columns of a layout. The row under it belongs to the header when it is not empty and
    /// has nothing under the person columns (a data row always names its person). Null when no row qualifies.
    /// </summary>
    public static Header? DetectHeader(IReadOnlyList<SheetRow> firstRows)
    {
        for (var r = 0; r < firstRows.Count; r++)
        {
            var names = firstRows[r].Cells.Select(c => Normalize(CellText(c))).ToArray();
            var personColumns = names.Select((n, i) => (n, i)).Where(x => x.n is "userid" or "工号").Select(x => x.i).ToList();
            if (personColumns.Count == 0) continue;
            var number = firstRows[r].Number;
            if (r + 1 < firstRows.Count && firstRows[r + 1].Cells is var below
                && below.Any(c => CellText(c) is not null)
                && personColumns.All(i => i >= below.Length || CellText(below[i]) is null))
            {
                var combined = names.Length >= below.Length ? (string[])names.Clone() : [.. names, .. new string[below.Length - names.Length]];
                for (var i = 0; i < below.Length; i++)
                    if (Normalize(CellText(below[i])) is { Length: > 0 } lower) combined[i] = lower;
                if (ColumnsOf(combined) is var two && IsDaily(two))
                    return new Header(DailyStatistics, number, firstRows[r + 1].Number, two);
            }
            var columns = ColumnsOf(names);
            if (IsDaily(columns)) return new Header(DailyStatistics, number, number, columns);
            if (columns.ContainsKey("打卡时间")) return new Header(RawRecords, number, number, columns);
        }
        return null;
    }

    private static Dictionary<string, int> ColumnsOf(string?[] names)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
            if (names[i] is { Length: > 0 } name) columns.TryAdd(name, i);
        return columns;
    }

    private static bool IsDaily(Dictionary<string, int> columns) =>
        (columns.ContainsKey("日期") || columns.ContainsKey("考勤日期")) && DailySlots.Any(s => columns.ContainsKey(s.TimeColumn));

    /// <summary>A header name as compared: trimmed, without a BOM or inner spaces, lower case (userId, UserId, USERID).</summary>
    public static string Normalize(string? name) =>
        name is null ? "" : new string(name.Where(c => !char.IsWhiteSpace(c) && c != '\uFEFF').ToArray()).ToLowerInvariant();

    private sealed record DailySlot(int Slot, string Label, string TimeColumn, string ResultColumn, string Type);

    private static readonly DailySlot[] DailySlots =
    [
        .. Enumerable.Range(1, 3).SelectMany(n => new[]
        {
            new DailySlot(2 * n - 1, $"上班{n}", $"上班{n}打卡时间", $"上班{n}打卡结果", "IN"),
            new DailySlot(2 * n, $"下班{n}", $"下班{n}打卡时间", $"下班{n}打卡结果", "OUT"),
        }),
    ];

    // --------------------------------------------------------------------------------------------------------------
    // rows
    // --------------------------------------------------------------------------------------------------------------

    private static ParsedRow ReadRawRecord(SheetRow row, Header header, DateTimeOffset now)
    {
        var timeCell = Cell(row, header.Column("打卡时间"));
        var dateCell = Cell(row, header.Column("考勤日期") ?? header.Column("日期"));
        var (person, personRow) = Person(row, header, row.Number, "打卡时间");
        var timeText = CellText(timeCell);
        var parsed = personRow with { TimeText = Display(dateCell, timeCell), TypeText = "RAW" };
        if (timeText is null)
            return parsed with { ErrorCode = ImportErrors.RowCodes.NotAPunch, ErrorDetail = "no 打卡时间: the row records no punch" };
        if (person is not null) return parsed with { ErrorCode = person.Value.Code, ErrorDetail = person.Value.Detail };
        if (RawInstant(dateCell, timeCell) is not { } instant)
            return parsed with
            {
                ErrorCode = ImportErrors.RowCodes.BadTime,
                ErrorDetail = "打卡时间 must be a date and time (2026-03-02 09:01) or a time (09:01) with 考勤日期 a date (26-03-02 星期一, 2026-03-02)",
            };
        return ImportFormats.Checked(parsed with { PunchTime = instant, PunchType = "RAW" }, now);
    }

    private static IEnumerable<ParsedRow> ReadDailyRow(SheetRow row, Header header, DateTimeOffset now)
    {
        var dateCell = Cell(row, header.Column("日期") ?? header.Column("考勤日期"));
        var date = WorkDate(dateCell);
        var any = false;
        foreach (var slot in DailySlots)
        {
            if (header.Column(slot.TimeColumn) is not { } timeColumn) continue;
            var timeCell = Cell(row, timeColumn);
            var result = CellText(Cell(row, header.Column(slot.ResultColumn)));
            var timeText = CellText(timeCell);
            if (timeText is null && result is null) continue; // a slot the day's shift does not have
            any = true;
            var (person, personRow) = Person(row, header, row.Number * LinesPerDailyRow + slot.Slot, slot.TimeColumn);
            var parsed = personRow with { TimeText = Display(dateCell, timeCell), TypeText = slot.Label };
            if (timeText is null)
            {
                yield return parsed with { ErrorCode = ImportErrors.RowCodes.NotAPunch, ErrorDetail = $"{slot.Label}: {Quoted(result)} without a time is a missing punch, not a punch" };
                continue;
            }
            if (person is not null)
            {
                yield return parsed with { ErrorCode = person.Value.Code, ErrorDetail = person.Value.Detail };
                continue;
            }
            if (date is null || DailyInstant(date.Value, timeCell) is not { } instant)
            {
                yield return parsed with
                {
                    ErrorCode = ImportErrors.RowCodes.BadTime,
                    ErrorDetail = date is null
                        ? "日期 must be a date (26-03-02 星期一, 2026-03-02)"
                        : $"{slot.TimeColumn} must be a time (09:01) or 次日 and a time (次日 01:30)",
                };
                continue;
            }
            yield return ImportFormats.Checked(parsed with { PunchTime = instant, PunchType = slot.Type }, now);
        }
        if (!any)
        {
            var (_, personRow) = Person(row, header, row.Number * LinesPerDailyRow, null);
            yield return personRow with
            {
                TimeText = CellText(dateCell),
                ErrorCode = ImportErrors.RowCodes.NotAPunch,
                ErrorDetail = "no punch time on this day (rest day, or every punch missing)",
            };
        }
    }

    /// <summary>The row's person: UserId (a DingTalk link), else 工号 (an employee number); or its problem.</summary>
    private static ((string Code, string Detail)? Problem, ParsedRow Row) Person(SheetRow row, Header header, int line, string? column)
    {
        var userCell = Cell(row, header.Column("userid"));
        var employeeCell = Cell(row, header.Column("工号"));
        var userId = IdText(userCell, out var userIdProblem);
        var employee = IdText(employeeCell, out var employeeProblem);
        var parsed = new ParsedRow(line, userId ?? employee ?? CellText(userCell) ?? CellText(employeeCell), null, null, null, null,
            null, null, null, null, null, null, row.Number, column);
        if (userIdProblem is not null) return ((ImportErrors.RowCodes.BadPerson, "UserId " + userIdProblem), parsed);
        if (userId is not null)
            return userId.Length > 128 || WireValues.TextProblem(userId) is not null
                ? ((ImportErrors.RowCodes.BadPerson, "UserId must be 1 to 128 characters without control characters"), parsed)
                : (null, parsed with { ExternalUserId = userId });
        if (employeeProblem is not null) return ((ImportErrors.RowCodes.BadPerson, "工号 " + employeeProblem), parsed);
        if (employee is null) return ((ImportErrors.RowCodes.MissingPerson, "give UserId or 工号"), parsed);
        return employee.Length > 64 || WireValues.TextProblem(employee) is not null
            ? ((ImportErrors.RowCodes.BadPerson, "工号 must be 1 to 64 characters without control characters"), parsed)
            : (null, parsed with { EmployeeNumber = employee });
    }

    /// <summary>
    /// An id cell as text, exactly as stored: text cells as they are (leading zeros, any length). A number cell (a
    /// re-save that let Excel turn the column into numbers) is taken only when it is a whole number a double holds
    /// exactly; a longer one has already lost digits and cannot be trusted.
    /// </summary>
    private static string? IdText(object? cell, out string? problem)
    {
        problem = null;
        if (cell is not double number) return CellText(cell);
        if (number == Math.Floor(number) && Math.Abs(number) < 9007199254740992d) return number.ToString("0", CultureInfo.InvariantCulture);
        problem = $"is stored as the number {number.ToString("R", CultureInfo.InvariantCulture)}, which cannot hold the id exactly; store the column as text";
        return null;
    }

    // --------------------------------------------------------------------------------------------------------------
    // cells and times
    // --------------------------------------------------------------------------------------------------------------

    private static object? Cell(SheetRow row, int? column) => column is { } i && i < row.Cells.Length ? row.Cells[i] : null;

    /// <summary>A cell as trimmed text (null when empty): text as is, numbers invariantly, dates as yyyy-MM-dd HH:mm:ss.</summary>
    public static string? CellText(object? cell) => cell switch
    {
        null => null,
        string text => text.Trim() is { Length: > 0 } trimmed ? trimmed : null,
        DateTime date => date.ToString(date.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        IFormattable other => other.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString(),
    };

    /// <summary>
    /// A cell's text as a row's detail quotes it: without control characters and lone surrogates (an _x0000_ or _xD800_
    /// escape decodes to them; Postgres refuses a NUL in text, and UTF-8 half a surrogate pair), at most 200 characters.
    /// </summary>
    private static string? Quoted(string? text) =>
        text is null ? null :
        text.Length <= 200 && !text.Any(c => char.IsControl(c) || char.IsSurrogate(c))
            ? text
            : new string(text.Where(c => !char.IsControl(c) && !char.IsSurrogate(c)).Take(200).ToArray());

    private static string? Display(object? dateCell, object? timeCell) =>
        CellText(timeCell) is { } time && CellText(dateCell) is { } date && time.Length <= 8 ? $"{date} {time}" : CellText(timeCell);

    private static DateTimeOffset? RawInstant(object? dateCell, object? timeCell)
    {
        switch (timeCell)
        {
            case DateTime full when full.Year >= 1900:
                return Local(full);
            case double serial when serial is >= 1 and < 2958466: // up to 9999-12-31, the last date a DateTime (and Excel) has
                return Local(DateTime.FromOADate(serial));
        }
        var text = CellText(timeCell);
        if (ImportFormats.ParseInstant(text) is { } instant) return instant;
        if (WorkDate(dateCell) is { } date && TimeOfDay(timeCell) is { } clock) return Local(date.ToDateTime(clock));
        return null;
    }

    private static DateTimeOffset? DailyInstant(DateOnly date, object? timeCell)
    {
        var text = CellText(timeCell);
        if (text is not null && text.StartsWith("次日", StringComparison.Ordinal))
            return TimeOfDay(text[2..].Trim()) is { } next && date < DateOnly.MaxValue ? Local(date.AddDays(1).ToDateTime(next)) : null;
        return TimeOfDay(timeCell) is { } clock ? Local(date.ToDateTime(clock)) : null;
    }

    /// <summary>A time of day: H:mm[:ss] text, a time-formatted cell (a date of 1899), or a day fraction.</summary>
    private static TimeOnly? TimeOfDay(object? cell) => cell switch
    {
        DateTime time when time.Year < 1900 => TimeOnly.FromDateTime(time),
        // (a fraction that rounds to 24:00 is no time of day)
        double fraction when fraction is >= 0 and < 1 && Math.Round(fraction * 24 * 60 * 60) < 24 * 60 * 60 => TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(Math.Round(fraction * 24 * 60 * 60) / 60)),
        _ => TimeOnly.TryParseExact(CellText(cell), ["H:mm", "H:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var clock) ? clock : null,
    };

    /// <summary>A work date as exported: <c>26-03-02 星期一</c> (two-digit year, a weekday after it), 2026-03-02, 2026/3/2, or a date cell.</summary>
    public static DateOnly? WorkDate(object? cell)
    {
        if (cell is DateTime date && date.Year >= 1900) return DateOnly.FromDateTime(date);
        if (cell is double serial && serial >= 1 && serial < 2958466) return DateOnly.FromDateTime(DateTime.FromOADate(serial));
        var text = CellText(cell);
        if (text is null) return null;
        var day = text.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return DateOnly.TryParseExact(day, ["yyyy-MM-dd", "yyyy/M/d", "yyyy-M-d", "yy-MM-dd", "yy/M/d"], CultureInfo.InvariantCulture,
            DateTimeStyles.None, out var workDate) ? workDate : null;
    }

    private static DateTimeOffset? Local(DateTime local) => ImportFormats.LocalInstant(local);

    /// <summary>A stream that first gives back the bytes already read from it to look at the file's signature.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ForwardOnlyReadStream
    {
        private ReadOnlyMemory<byte> pending = prefix;

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct = default)
        {
            if (pending.IsEmpty) return await rest.ReadAsync(destination, ct);
            var count = Math.Min(destination.Length, pending.Length);
            pending[..count].CopyTo(destination);
            pending = pending[count..];
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }
}
