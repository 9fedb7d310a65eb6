using System.Globalization;
using System.Text;
using HrmsAttendance.PunchLedger.Imports;
using HrmsAttendance.Tests.Shared;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Imports;

/// <summary>A punch as DingTalk exports it: the person's UserId (or, without one, 工号), the local minute, 上班 (IN) or 下班 (OUT).</summary>
public sealed record ExportPunch(string? UserId, string? EmployeeNumber, DateTime Local, string Type, int WorkDateOffset = 0)
{
    /// <summary>The work date DingTalk files it under (a 下班 after midnight belongs to the day before: 次日).</summary>
    public DateOnly WorkDate => DateOnly.FromDateTime(Local).AddDays(WorkDateOffset);
}

/// <summary>
/// DingTalk attendance exports written in code, the way the console writes them: the workbook with its four sheets
/// (月度汇总, 打卡时间, 原始记录, 每日统计) or one sheet alone, and CSV re-saves of either punch sheet in UTF-8 (with or
/// without BOM) or GBK. Column order, extra columns and header positions can be varied, as real exports vary.
/// </summary>
public static class DingTalkExportFiles
{
    public static readonly string[] RawHeader =
        ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "考勤日期", "考勤时间", "打卡时间", "打卡结果", "打卡地址", "打卡备注", "异常打卡原因", "打卡设备", "管理员修改备注"];

    private static readonly string[] DailyIdentity = ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "日期", "班次"];

    public static string Weekday(DateOnly date) => "星期" + "日一二三四五六"[(int)date.DayOfWeek];

    /// <summary>原始记录 rows (title row, 报表生成时间 row, then the header on row 3) as cells; <paramref name="extra"/> rows are appended as given.</summary>
    public static List<object?[]> RawSheet(IEnumerable<ExportPunch> punches, string[]? header = null, IEnumerable<Dictionary<string, object?>>? extra = null)
    {
        header ??= RawHeader;
        var rows = new List<object?[]>
        {
            new object?[] { "原始记录 统计日期：2026-03-01 至 2026-03-31" },
            new object?[] { "报表生成时间：2026-04-01 09:30" },
            header.Cast<object?>().ToArray(),
        };
        foreach (var p in punches)
            rows.Add(RawRow(header, new Dictionary<string, object?>
            {
                ["姓名"] = "员工" + (p.UserId ?? p.EmployeeNumber),
                ["考勤组"] = "总部",
                ["部门"] = "研发部",
                ["工号"] = p.EmployeeNumber,
                ["UserId"] = p.UserId,
                ["userId"] = p.UserId,
                ["考勤日期"] = $"{p.WorkDate:yy-MM-dd} {Weekday(p.WorkDate)}",
                ["考勤时间"] = p.Type == "IN" ? "09:00" : "18:00",
                ["打卡时间"] = $"{p.Local:yyyy-MM-dd HH:mm}",
                ["打卡结果"] = "正常",
                ["打卡地址"] = "上海市浦东新区张江路100号",
                ["打卡设备"] = "iPhone",
            }));
        foreach (var cells in extra ?? []) rows.Add(RawRow(header, cells));
        return rows;
    }

    public static object?[] RawRow(string[] header, Dictionary<string, object?> cells) =>
        header.Select(h => cells.GetValueOrDefault(h)).ToArray();

    /// <summary>
    /// 每日统计 rows: a title row, a 报表生成时间 row, then a two-level header (rows 3–4: the identity and punch columns
    /// merged over both rows, the 出勤 group's sub-columns on row 4), then one row per person and work date with
    /// 上班N/下班N times (次日 HH:MM after midnight) and results; <paramref name="missing"/> slots say 缺卡 without a time.
    /// </summary>
    public static (List<object?[]> Rows, List<string> Merges) DailySheet(IEnumerable<ExportPunch> punches,
        IEnumerable<(string? UserId, string? EmployeeNumber, DateOnly Date, string Slot)>? missing = null,
        IEnumerable<(string? UserId, string? EmployeeNumber, DateOnly Date)>? restDays = null)
    {
        var slots = Enumerable.Range(1, 3).SelectMany(n => new[] { $"上班{n}打卡时间", $"上班{n}打卡结果", $"下班{n}打卡时间", $"下班{n}打卡结果" }).ToArray();
        string[] top = [.. DailyIdentity, .. slots, "关联的审批单", "出勤统计", "", ""];
        string[] sub = [.. DailyIdentity.Select(_ => ""), .. slots.Select(_ => ""), "", "出勤天数", "工作时长(分钟)", "迟到次数"];
        var rows = new List<object?[]>
        {
            new object?[] { "每日统计 统计日期：2026-03-01 至 2026-03-31" },
            new object?[] { "报表生成时间：2026-04-01 09:30" },
            top.Select(t => t.Length == 0 ? null : (object?)t).ToArray(),
            sub.Select(t => t.Length == 0 ? null : (object?)t).ToArray(),
        };
        var merges = top.Select((t, i) => (t, i)).Where(x => x.i < DailyIdentity.Length + slots.Length + 1)
            .Select(x => $"{XlsxWorkbookWriter.ColumnName(x.i)}3:{XlsxWorkbookWriter.ColumnName(x.i)}4").ToList();
        var group = Array.IndexOf(top, "出勤统计");
        merges.Add($"{XlsxWorkbookWriter.ColumnName(group)}3:{XlsxWorkbookWriter.ColumnName(group + 2)}3");

        var days = punches.GroupBy(p => (p.UserId, p.EmployeeNumber, p.WorkDate))
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.Local).ToList());
        foreach (var (user, employee, date, slot) in missing ?? []) days.TryAdd((user, employee, date), []);
        foreach (var (user, employee, date) in restDays ?? []) days.TryAdd((user, employee, date), []);
        foreach (var ((user, employee, date), dayPunches) in days.OrderBy(d => d.Key.UserId ?? d.Key.EmployeeNumber, StringComparer.Ordinal).ThenBy(d => d.Key.WorkDate))
        {
            var cells = new object?[top.Length];
            cells[0] = "员工" + (user ?? employee);
            cells[1] = "总部";
            cells[2] = "研发部";
            cells[3] = employee;
            cells[4] = "工程师";
            cells[5] = user;
            cells[6] = $"{date:yy-MM-dd} {Weekday(date)}";
            cells[7] = dayPunches.Count == 0 && !(missing ?? []).Any(m => m.Date == date && m.UserId == user) ? "休息" : "正常班 09:00-18:00";
            var ins = dayPunches.Where(p => p.Type == "IN").ToList();
            var outs = dayPunches.Where(p => p.Type == "OUT").ToList();
            for (var n = 1; n <= 3; n++)
            {
                if (n <= ins.Count) Put(cells, $"上班{n}", ins[n - 1], date);
                if (n <= outs.Count) Put(cells, $"下班{n}", outs[n - 1], date);
            }
            foreach (var m in (missing ?? []).Where(m => m.UserId == user && m.EmployeeNumber == employee && m.Date == date))
                cells[DailyIdentity.Length + Array.IndexOf(slots, m.Slot + "打卡结果")] = "缺卡";
            rows.Add(cells);

            void Put(object?[] row, string slot, ExportPunch p, DateOnly workDate)
            {
                var next = DateOnly.FromDateTime(p.Local) > workDate;
                row[DailyIdentity.Length + Array.IndexOf(slots, slot + "打卡时间")] = (next ? "次日 " : "") + p.Local.ToString("HH:mm", CultureInfo.InvariantCulture);
                row[DailyIdentity.Length + Array.IndexOf(slots, slot + "打卡结果")] = "正常";
            }
        }
        return (rows, merges);
    }

    /// <summary>A workbook: each sheet's rows from row 1 (a null row is left out: a gap in the row numbers), with its merges.</summary>
    public static byte[] Workbook(params (string Name, List<object?[]> Rows, List<string>? Merges)[] sheets)
    {
        using var output = new MemoryStream();
        using (var workbook = new XlsxWorkbookWriter(output))
        {
            foreach (var (name, rows, merges) in sheets)
            {
                workbook.StartSheet(name);
                for (var i = 0; i < rows.Count; i++)
                    if (rows[i].Length > 0) workbook.Row(i + 1, rows[i]);
                foreach (var merge in merges ?? []) workbook.Merge(merge);
            }
        }
        return output.ToArray();
    }

    /// <summary>The sheets DingTalk's workbook has besides the punch sheets (their headers must not be taken for one).</summary>
    public static (string, List<object?[]>, List<string>?) MonthlySummary() => ("月度汇总", [
        ["月度汇总 统计日期：2026-03-01 至 2026-03-31"],
        ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "出勤天数", "休息天数", "工作时长(分钟)", "迟到次数"],
        ["员工X", "总部", "研发部", "X1", "工程师", "x-1", 20, 8, 9600, 0],
    ], null);

    public static (string, List<object?[]>, List<string>?) PunchTimes() => ("打卡时间", [
        ["打卡时间 统计日期：2026-03-01 至 2026-03-31"],
        ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "1 星期日", "2 星期一"],
        ["员工X", "总部", "研发部", "X1", "工程师", "x-1", "", "08:58 18:03"],
    ], null);

    /// <summary>A CSV re-save of a sheet's rows (as Excel/WPS write one: the title rows kept, fields quoted when needed, CRLF).</summary>
    public static byte[] Csv(List<object?[]> rows, Encoding encoding, bool bom)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
            text.Append(string.Join(',', row.Select(c => Quote(DingTalkExports.CellText(c) ?? "")))).Append("\r\n");
        var bytes = encoding.GetBytes(text.ToString());
        return bom ? [.. encoding.GetPreamble(), .. bytes] : bytes;
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
