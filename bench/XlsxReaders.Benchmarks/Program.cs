using System.Diagnostics;
using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ExcelDataReader;
using HrmsAttendance.Tests.Shared;
using MiniExcelLibs;

// Streams the 原始记录 sheet of a generated DingTalk-shaped workbook (title row, 报表生成时间 row, header, N punch rows,
// plus the other sheets of the export) with each served reader, each in a fresh process of its own, and prints the
// wall time and the process's peak resident memory (VmHWM), against the baseline of the same process doing nothing
// but open the file. Usage: dotnet run -c Release --project bench/XlsxReaders.Benchmarks [-- --rows 100000 --runs 3]
string[] readers = ["none", "ExcelDataReader", "MiniExcel", "OpenXml-SAX"];
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length ? args[x.i + 1] : "");

if (options.TryGetValue("reader", out var only))
{
    var file = options["file"];
    var clock = Stopwatch.StartNew();
    var (rows, chars) = only switch
    {
        "none" => Baseline(file),
        "ExcelDataReader" => WithExcelDataReader(file),
        "MiniExcel" => WithMiniExcel(file),
        "OpenXml-SAX" => WithOpenXmlSax(file),
        _ => throw new ArgumentException(only),
    };
    var elapsed = clock.Elapsed;
    var peak = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    Console.WriteLine(string.Join('\t', only, rows, chars, elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
        long.Parse(peak.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024,
        GC.GetTotalAllocatedBytes() / (1024 * 1024)));
    return;
}

var count = int.Parse(options.GetValueOrDefault("rows", "100000"), CultureInfo.InvariantCulture);
var runs = int.Parse(options.GetValueOrDefault("runs", "3"), CultureInfo.InvariantCulture);
var path = Path.Combine(Path.GetTempPath(), $"xlsx-readers-{Environment.ProcessId}.xlsx");
try
{
    using (var output = File.Create(path))
        WriteExport(output, count);
    Console.WriteLine($"workbook: {count:N0} punch rows in 原始记录, {new FileInfo(path).Length / 1024.0 / 1024.0:F1} MiB; {runs} runs per reader, each in its own process");
    Console.WriteLine("reader\trows\tchars read\tseconds\tpeak RSS MiB\tallocated MiB");
    foreach (var reader in readers)
        for (var run = 0; run < runs; run++)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            foreach (var a in Environment.GetCommandLineArgs().Take(1).Where(a => a.EndsWith(".dll", StringComparison.Ordinal))) start.ArgumentList.Add(a);
            foreach (var a in new[] { "--reader", reader, "--file", path }) start.ArgumentList.Add(a);
            using var child = Process.Start(start)!;
            Console.Write(child.StandardOutput.ReadToEnd());
            child.WaitForExit();
        }
}
finally
{
    File.Delete(path);
}

// A 原始记录 export as DingTalk's console writes it, with the workbook's other sheets (small) around it.
static void WriteExport(Stream output, int count)
{
    using var workbook = new XlsxWorkbookWriter(output);
    workbook.StartSheet("月度汇总");
    workbook.Row(1, "月度汇总 统计日期：2026-03-01 至 2026-03-31");
    workbook.Row(2, "姓名", "考勤组", "部门", "工号", "职位", "UserId", "出勤天数");
    workbook.StartSheet("原始记录");
    workbook.Row(1, "原始记录 统计日期：2026-03-01 至 2026-03-31");
    workbook.Row(2, "报表生成时间：2026-04-01 09:30");
    workbook.Row(3, "姓名", "考勤组", "部门", "工号", "职位", "UserId", "考勤日期", "考勤时间", "打卡时间", "打卡结果", "打卡地址", "打卡备注",
        "异常打卡原因", "打卡设备", "管理员修改备注");
    var persons = Math.Max(1, count / 40);
    for (var i = 0; i < count; i++)
    {
        var person = i % persons;
        var day = new DateOnly(2026, 3, 1).AddDays(i / persons / 2 % 28);
        var clockIn = i / persons % 2 == 0;
        var time = new TimeOnly(clockIn ? 8 : 18, (person * 7 + i) % 60);
        workbook.Row(i + 4, $"员工{person}", "总部考勤组", "研发部", $"E{person:D5}", "工程师", $"0{person}1234567890123456",
            $"{day:yy-MM-dd} 星期{"日一二三四五六"[(int)day.DayOfWeek]}", clockIn ? "09:00" : "18:00", $"{day:yyyy-MM-dd} {time:HH:mm}", "正常",
            "上海市浦东新区张江路100号", null, null, "iPhone", null);
    }
    workbook.StartSheet("每日统计");
    workbook.Row(1, "每日统计 统计日期：2026-03-01 至 2026-03-31");
}

static (int Rows, long Chars) Baseline(string file)
{
    using var stream = File.OpenRead(file);
    return (0, stream.Length);
}

static (int Rows, long Chars) WithExcelDataReader(string file)
{
    System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance); // its configuration asks for 1252
    using var stream = File.OpenRead(file);
    using var reader = ExcelReaderFactory.CreateOpenXmlReader(stream);
    int rows = 0;
    long chars = 0;
    do
    {
        if (reader.Name != "原始记录") continue;
        while (reader.Read())
        {
            rows++;
            for (var i = 0; i < reader.FieldCount; i++)
                chars += Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)?.Length ?? 0;
        }
    } while (reader.NextResult());
    return (rows, chars);
}

static (int Rows, long Chars) WithMiniExcel(string file)
{
    using var stream = File.OpenRead(file);
    int rows = 0;
    long chars = 0;
    foreach (IDictionary<string, object?> row in MiniExcel.Query(stream, useHeaderRow: false, sheetName: "原始记录"))
    {
        rows++;
        foreach (var value in row.Values) chars += Convert.ToString(value, CultureInfo.InvariantCulture)?.Length ?? 0;
    }
    return (rows, chars);
}

static (int Rows, long Chars) WithOpenXmlSax(string file)
{
    using var stream = File.OpenRead(file);
    using var document = SpreadsheetDocument.Open(stream, false);
    var workbook = document.WorkbookPart!;
    var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().First(s => s.Name == "原始记录");
    var strings = new List<string>();
    if (workbook.SharedStringTablePart is { } table)
    {
        using var sst = OpenXmlReader.Create(table);
        while (sst.Read())
            if (sst.ElementType == typeof(SharedStringItem) && sst.IsStartElement)
                strings.Add(((SharedStringItem)sst.LoadCurrentElement()!).InnerText);
    }
    using var reader = OpenXmlReader.Create((WorksheetPart)workbook.GetPartById(sheet.Id!));
    int rows = 0;
    long chars = 0;
    while (reader.Read())
    {
        if (reader.ElementType != typeof(Row) || !reader.IsStartElement) continue;
        rows++;
        var row = (Row)reader.LoadCurrentElement()!;
        foreach (var cell in row.Elements<Cell>())
        {
            var text = cell.DataType?.Value == CellValues.SharedString ? strings[int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)]
                : cell.DataType?.Value == CellValues.InlineString ? cell.InlineString!.InnerText
                : cell.CellValue?.Text;
            chars += text?.Length ?? 0;
        }
    }
    return (rows, chars);
}
