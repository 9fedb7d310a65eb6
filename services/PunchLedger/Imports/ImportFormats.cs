using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using HrmsAttendance.Contracts;
using HrmsAttendance.PunchLedger.Data;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>
/// One punch (or non-punch) of a file, as read and checked on its own (persons are resolved later, against
/// identity-mapping). <see cref="SheetRow"/> and <see cref="SourceColumn"/> say where it is in a DingTalk export (a
/// 每日统计 row holds several punches, each its own line).
/// </summary>
public sealed record ParsedRow(
    int Line,
    string? PersonText,
    string? TimeText,
    string? TypeText,
    string? EmployeeNumber,
    string? ExternalUserId,
    Guid? PersonUuid,
    DateTimeOffset? PunchTime,
    string? PunchType,
    string? RequestId,
    string? ErrorCode,
    string? ErrorDetail,
    int? SheetRow = null,
    string? SourceColumn = null);

/// <summary>
/// The file formats an import reads: ours (<c>csv</c>: CSV with quoted fields, CRLF or LF, a header row naming the
/// columns in any order) and DingTalk's attendance exports (<c>dingtalk</c>: the .xlsx workbook or a CSV re-save of its
/// 原始记录 or 每日统计 sheet, read by <see cref="DingTalkExports"/>).
/// </summary>
public static class ImportFormats
{
    public const string Csv = "csv";
    public const string DingTalk = "dingtalk";
    public static readonly string[] All = [Csv, DingTalk];

    /// <summary>The template of a format: UTF-8 with a BOM (so Excel opens it as UTF-8), a header row, example rows.</summary>
    public static byte[] Template(string format)
    {
        var text = format switch
        {
            Csv => """
                employee_number,person_uuid,punch_time,punch_type,request_id
                E0001,,2026-03-02 08:58:00,IN,
                E0001,,2026-03-02T18:03:00+08:00,OUT,
                ,0b6f2c55-8c1e-4d0e-a3f5-5f1d8b1f3a20,2026-03-02T01:02:00Z,RAW,my-system-42

                """,
            DingTalk => """
                姓名,工号,UserId,考勤日期,打卡时间,打卡结果
                张三,E0001,,2026-03-02,08:58,正常
                张三,E0001,,2026-03-02,18:03,正常
                李四,,manager4521,2026-03-02,2026-03-02 09:12:40,迟到

                """,
            _ => throw ImportErrors.Invalid($"format must be one of {string.Join(", ", All)}"),
        };
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n"))];
    }

    /// <summary>
    /// Reads the rows of a file of our format (already decoded); the first record is the header. Throws
    /// IMPORT_FILE_BAD_HEADER. DingTalk's exports are read by <see cref="DingTalkExports"/>.
    /// </summary>
    public static async IAsyncEnumerable<ParsedRow> ReadAsync(TextReader text, string format, Guid importId, DateTimeOffset now,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            TrimOptions = TrimOptions.Trim,
            BadDataFound = null, // a stray quote inside a field is kept as text; the field's own check then refuses it
            DetectColumnCountChanges = false,
        };
        using var parser = new CsvParser(text, configuration);
        if (!await parser.ReadAsync())
            throw ImportErrors.Refuse(ImportErrors.FileBadHeader, "the file has no header row");
        var columns = Columns.Of(format, parser.Record ?? []);
        while (await parser.ReadAsync())
        {
            ct.ThrowIfCancellationRequested();
            var record = parser.Record ?? [];
            if (record.All(string.IsNullOrWhiteSpace)) continue; // blank lines, e.g. a trailing one
            yield return ReadOurs(parser.Row, record, columns, importId, now);
        }
    }

    private static ParsedRow ReadOurs(int line, string[] record, Columns columns, Guid importId, DateTimeOffset now)
    {
        var employee = columns.Get(record, "employee_number");
        var uuid = columns.Get(record, "person_uuid");
        var time = columns.Get(record, "punch_time");
        var type = columns.Get(record, "punch_type");
        var requestId = columns.Get(record, "request_id");
        var personText = uuid ?? employee;
        var row = new ParsedRow(line, personText, time, type, null, null, null, null, null, null, null, null);

        Guid? person = null;
        if (uuid is not null)
        {
            if (!WireValues.TryParseCanonicalUuid(uuid, out var parsed))
                return row with { ErrorCode = ImportErrors.RowCodes.BadPerson, ErrorDetail = "person_uuid must be a UUID (8-4-4-4-12 hex digits)" };
            person = parsed;
        }
        else if (employee is null)
            return row with { ErrorCode = ImportErrors.RowCodes.MissingPerson, ErrorDetail = "give employee_number or person_uuid" };
        else if (EmployeeNumberProblem(employee) is { } problem)
            return row with { ErrorCode = ImportErrors.RowCodes.BadPerson, ErrorDetail = "employee_number " + problem };

        var parsedType = type?.ToUpperInvariant();
        if (parsedType is not ("IN" or "OUT" or "RAW"))
            return row with { ErrorCode = ImportErrors.RowCodes.BadType, ErrorDetail = "punch_type must be IN, OUT or RAW" };
        if (requestId is not null && RequestIdProblem(requestId) is { } requestProblem)
            return row with { ErrorCode = ImportErrors.RowCodes.BadRequestId, ErrorDetail = "request_id " + requestProblem };
        if (ParseInstant(time) is not { } instant)
            return row with
            {
                ErrorCode = ImportErrors.RowCodes.BadTime,
                ErrorDetail = "punch_time must be an ISO 8601 instant with an offset (2026-03-02T09:00:00+08:00) or a local Asia/Shanghai time (2026-03-02 09:00[:00])",
            };
        return Checked(row with
        {
            EmployeeNumber = person is null ? employee : null,
            PersonUuid = person,
            PunchTime = instant,
            PunchType = parsedType,
            RequestId = requestId ?? DerivedRequestId(importId, line),
        }, now);
    }

    /// <summary>The ledger's own range: from 2000-01-01 up to one day ahead (PunchCommand's rule).</summary>
    internal static ParsedRow Checked(ParsedRow row, DateTimeOffset now) =>
        row.PunchTime < PunchCommand.EarliestPunch || row.PunchTime > now + PunchCommand.MaxFutureSkew
            ? row with
            {
                ErrorCode = ImportErrors.RowCodes.OutOfRange,
                ErrorDetail = "the punch must be between 2000-01-01 and one day from now",
                PunchTime = null,
            }
            : row;

    /// <summary>Each line's request id when the file gives none: the kernel's idempotency then makes a repeated commit of the line record nothing.</summary>
    public static string DerivedRequestId(Guid importId, int line) => $"import:{importId:D}:{line}";

    private static string? EmployeeNumberProblem(string value) =>
        value.Length > 64 ? "is longer than 64 characters" : WireValues.TextProblem(value);

    private static string? RequestIdProblem(string value) =>
        value.Length > PunchCommand.MaxRequestIdLength ? $"is longer than {PunchCommand.MaxRequestIdLength} characters"
        : value.StartsWith("import:", StringComparison.Ordinal) ? "must not start with import: (the ids an import derives)"
        : WireValues.TextProblem(value);

    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm",
        "yyyy/M/d H:mm:ss", "yyyy/M/d H:mm", "yyyy-M-d H:mm:ss", "yyyy-M-d H:mm", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    /// <summary>An instant with an offset (or Z), or a local Asia/Shanghai date and time; null when it is neither.</summary>
    public static DateTimeOffset? ParseInstant(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (TryParseCommonLocal(text, out var local)
            || DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out local))
            return LocalInstant(local);
        // With an offset: only the ISO 8601 forms (a bare date or a culture's own spelling is not an instant).
        if (text.Length >= 20 && text[10] == 'T' &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var instant) &&
            (text.EndsWith('Z') || text[^6] is '+' or '-'))
            return instant;
        return null;
    }

    /// <summary>
    /// <c>yyyy-MM-dd HH:mm</c> and <c>yyyy-MM-dd HH:mm:ss</c> (every DingTalk export's 打卡时间 and our template's
    /// spelling) read digit by digit: the format list tries its formats one after the other (~0.5 µs a row, most of it
    /// the first format failing on an export's minutes). False for anything else, an impossible date included: the
    /// format list then decides, so this accepts nothing the list would refuse and reads the same instant.
    /// </summary>
    public static bool TryParseCommonLocal(string text, out DateTime local)
    {
        local = default;
        if (text.Length is not (16 or 19) || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':'
            || (text.Length == 19 && text[16] != ':'))
            return false;
        var second = 0;
        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month)
            || !Digits(text, 8, 2, out var day) || !Digits(text, 11, 2, out var hour)
            || !Digits(text, 14, 2, out var minute) || (text.Length == 19 && !Digits(text, 17, 2, out second)))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        local = new DateTime(year, month, day, hour, minute, second);
        return true;

        static bool Digits(string text, int start, int count, out int value)
        {
            value = 0;
            for (var i = start; i < start + count; i++)
            {
                if (!char.IsAsciiDigit(text[i])) return false;
                value = value * 10 + (text[i] - '0');
            }
            return true;
        }
    }

    /// <summary>
    /// A local Asia/Shanghai time as an instant; null when that instant is outside years 1–9999 in UTC (0001-01-01 00:30
    /// in Shanghai is in year 0): a bad time, not an exception out of the parse.
    /// </summary>
    internal static DateTimeOffset? LocalInstant(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var offset = WorkCalendar.Zone.GetUtcOffset(unspecified);
        var utcTicks = unspecified.Ticks - offset.Ticks;
        return utcTicks >= 0 && utcTicks <= DateTime.MaxValue.Ticks ? new DateTimeOffset(unspecified, offset) : null;
    }

    /// <summary>A format's columns, found by their header names (case and surrounding spaces ignored, any order).</summary>
    private sealed class Columns
    {
        private readonly Dictionary<string, int> byName = new(StringComparer.OrdinalIgnoreCase);

        public static Columns Of(string format, string[] header)
        {
            var columns = new Columns();
            for (var i = 0; i < header.Length; i++)
            {
                var name = header[i].Trim().TrimStart('\uFEFF').Trim();
                if (name.Length > 0) columns.byName.TryAdd(name, i);
            }
            string[] required = ["punch_time", "punch_type"];
            string[] person = ["employee_number", "person_uuid"];
            var missing = required.Where(r => !columns.byName.ContainsKey(r)).ToList();
            if (!person.Any(columns.byName.ContainsKey)) missing.Add(string.Join(" or ", person));
            if (missing.Count > 0)
                throw ImportErrors.Refuse(ImportErrors.FileBadHeader,
                    $"the header row of a {format} file must name {string.Join(", ", missing)} (found: {string.Join(", ", header.Take(20))})");
            return columns;
        }

        /// <summary>The trimmed field of a column, or null when the column is absent or the field empty.</summary>
        public string? Get(string[] record, string name) =>
            byName.TryGetValue(name, out var i) && i < record.Length && record[i].Trim() is { Length: > 0 } value ? value : null;
    }
}
