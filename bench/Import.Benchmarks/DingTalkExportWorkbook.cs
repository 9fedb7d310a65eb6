using System.Globalization;
using HrmsAttendance.Tests.Shared;

namespace HrmsAttendance.Import.Benchmarks;

/// <summary>The benchmark's file as DingTalk's export workbook (also StagingProbe's); the persons' links are in DingTalkExportBench.cs.</summary>
public static partial class DingTalkExportBench
{
    public static string UserIdOf(string runId, int person) => $"ding-{runId}-{person:D6}";

    /// <summary>The workbook of the CSV file's rows (<c>L&lt;run&gt;-&lt;i&gt;,yyyy-MM-dd HH:mm:ss,IN|OUT</c>).</summary>
    public static byte[] Workbook(string csv, string runId)
    {
        using var output = new MemoryStream();
        using (var workbook = new XlsxWorkbookWriter(output))
        {
            workbook.StartSheet("月度汇总");
            workbook.Row(1, "月度汇总 统计日期：2026-01-05 至 2026-02-28");
            workbook.Row(2, "姓名", "考勤组", "部门", "工号", "职位", "UserId", "出勤天数");
            workbook.StartSheet("原始记录");
            workbook.Row(1, "原始记录 统计日期：2026-01-05 至 2026-02-28");
            workbook.Row(2, "报表生成时间：2026-03-01 09:30");
            workbook.Row(3, "姓名", "考勤组", "部门", "工号", "职位", "UserId", "考勤日期", "考勤时间", "打卡时间", "打卡结果", "打卡地址",
                "打卡备注", "异常打卡原因", "打卡设备", "管理员修改备注");
            var row = 3;
            foreach (var line in csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                var fields = line.Split(',');
                var employee = fields[0];
                var person = int.Parse(employee[(employee.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);
                var local = DateTime.ParseExact(fields[1], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                var date = DateOnly.FromDateTime(local);
                workbook.Row(++row, $"员工{person}", "总部考勤组", "研发部", employee, "工程师", UserIdOf(runId, person),
                    $"{date:yy-MM-dd} 星期{"日一二三四五六"[(int)date.DayOfWeek]}", fields[2] == "IN" ? "09:00" : "18:00",
                    local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), "正常", "上海市浦东新区张江路100号", null, null, "iPhone", null);
            }
            workbook.StartSheet("每日统计");
            workbook.Row(1, "每日统计 统计日期：2026-01-05 至 2026-02-28");
        }
        return output.ToArray();
    }
}
