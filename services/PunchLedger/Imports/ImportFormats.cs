using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using HrmsAttendance.Contracts;
using HrmsAttendance.PunchLedger.Data;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>One data row of a file, as read and checked on its own (persons are resolved later, against identity-mapping).</summary>
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
    string? ErrorDetail);

/// <summary>
/// The file formats an import reads: ours (<c>csv</c>) and DingTalk's attendance export (<c>dingtalk</c>). Both are
/// CSV (quoted fields, CRLF or LF, a header row naming the columns in any order); each format is a column map and a
/// way to read a row. Another format (issue 16's XLSX) adds a reader that yields the same header + records.
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

    /// <summary>Reads the rows of a file (already decoded); the first record is the header. Throws IMPORT_FILE_BAD_HEADER.</summary>
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
            yield return format == DingTalk
                ? ReadDingTalk(parser.Row, record, columns, importId, now)
                : ReadOurs(parser.Row, record, columns, importId, now);
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

    /// <summary>
    /// A row of DingTalk's attendance export: the person by 工号 (employee number) or, failing that, by UserId (its
    /// identity link in identity-mapping); the instant from 打卡时间 (a full date and time, or a time on 考勤日期). Its
    /// verdict columns (打卡结果 …) are not read: the platform's own verdicts are never trusted, and a DingTalk punch has
    /// no trusted direction, so every row is a RAW punch that the rules give a direction.
    /// </summary>
    private static ParsedRow ReadDingTalk(int line, string[] record, Columns columns, Guid importId, DateTimeOffset now)
    {
        var employee = columns.Get(record, "工号");
        var userId = columns.Get(record, "userid");
        var date = columns.Get(record, "考勤日期");
        var time = columns.Get(record, "打卡时间");
        var timeText = date is null || time is null || time.Length > 8 ? time : $"{date} {time}";
        var row = new ParsedRow(line, employee ?? userId, timeText, "RAW", null, null, null, null, null, null, null, null);

        if (employee is null && userId is null)
            return row with { ErrorCode = ImportErrors.RowCodes.MissingPerson, ErrorDetail = "give 工号 or UserId" };
        if (employee is not null && EmployeeNumberProblem(employee) is { } problem)
            return row with { ErrorCode = ImportErrors.RowCodes.BadPerson, ErrorDetail = "工号 " + problem };
        if (employee is null && (userId!.Length > 128 || WireValues.TextProblem(userId) is not null))
            return row with { ErrorCode = ImportErrors.RowCodes.BadPerson, ErrorDetail = "UserId must be 1 to 128 characters without control characters" };
        if (ParseDingTalkInstant(date, time) is not { } instant)
            return row with
            {
                ErrorCode = ImportErrors.RowCodes.BadTime,
                ErrorDetail = "打卡时间 must be a date and time (2026-03-02 09:01[:33]) or a time (09:01) with 考勤日期 a date (2026-03-02, 26-03-02 星期一)",
            };
        return Checked(row with
        {
            EmployeeNumber = employee,
            ExternalUserId = employee is null ? userId : null,
            PunchTime = instant,
            PunchType = "RAW",
            RequestId = DerivedRequestId(importId, line),
        }, now);
    }

    /// <summary>The ledger's own range: from 2000-01-01 up to one day ahead (PunchCommand's rule).</summary>
    private static ParsedRow Checked(ParsedRow row, DateTimeOffset now) =>
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
        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return new DateTimeOffset(local, WorkCalendar.Zone.GetUtcOffset(local));
        // With an offset: only the ISO 8601 forms (a bare date or a culture's own spelling is not an instant).
        if (text.Length >= 20 && text[10] == 'T' &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var instant) &&
            (text.EndsWith('Z') || text[^6] is '+' or '-'))
            return instant;
        return null;
    }

    private static DateTimeOffset? ParseDingTalkInstant(string? date, string? time)
    {
        if (time is null) return null;
        if (ParseInstant(time) is { } full) return full;
        if (date is null || !TimeOnly.TryParseExact(time, ["H:mm", "H:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var clock))
            return null;
        // 考勤日期 as exported: "2026-03-02", "2026/3/2", or "26-03-02 星期一" (two-digit year, a weekday after it).
        var day = date.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        if (!DateOnly.TryParseExact(day, ["yyyy-MM-dd", "yyyy/M/d", "yyyy-M-d", "yy-MM-dd", "yy/M/d"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var workDate))
            return null;
        var local = workDate.ToDateTime(clock);
        return new DateTimeOffset(local, WorkCalendar.Zone.GetUtcOffset(local));
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
            string[] required = format == DingTalk ? ["打卡时间"] : ["punch_time", "punch_type"];
            string[] person = format == DingTalk ? ["工号", "userid"] : ["employee_number", "person_uuid"];
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
