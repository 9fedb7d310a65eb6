using System.Globalization;
using System.Text;

namespace HrmsAttendance.Import.Benchmarks;

/// <summary>
/// The benchmark's file (also StagingProbe's): persons × days × IN+OUT in CSV, sorted by employee and date as an export
/// is, employee numbers as LoadPersons registers them (<c>L&lt;run&gt;-&lt;i&gt;</c>), local Asia/Shanghai times (seeded:
/// the same times every run).
/// </summary>
public static class BenchFile
{
    public static readonly DateOnly FirstDay = new(2026, 1, 5);

    public static string Csv(int persons, int days, string runId)
    {
        var file = new StringBuilder("employee_number,punch_time,punch_type\r\n");
        var random = new Random(8);
        for (var p = 0; p < persons; p++)
            for (var d = 0; d < days; d++)
            {
                var day = FirstDay.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                file.Append(CultureInfo.InvariantCulture, $"L{runId}-{p},{day} 08:{50 + random.Next(10)}:{random.Next(60):00},IN\r\n");
                file.Append(CultureInfo.InvariantCulture, $"L{runId}-{p},{day} 18:{random.Next(30):00}:{random.Next(60):00},OUT\r\n");
            }
        return file.ToString();
    }
}
