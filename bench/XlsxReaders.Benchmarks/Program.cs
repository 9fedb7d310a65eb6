using System.Diagnostics;
using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ExcelDataReader;
using HrmsAttendance.PunchLedger.Imports;
using HrmsAttendance.Tests.Shared;
using MiniExcelLibs;

// Streams the 原始记录 sheet of a generated DingTalk-shaped workbook (title row, 报表生成时间 row, header, N punch rows,
// plus the other sheets of the export) with each reader, each in a fresh process of its own, and prints the time to the
// sheet's first row, the wall time, the process's peak resident memory (VmHWM) and the bytes it allocated, against the
// baseline of the same process doing nothing but open the file. XlsxWorkbook is the import's own one-pass reader
// (services/PunchLedger/Imports/XlsxWorkbook.cs); it and ExcelDataReader also print a checksum of every typed cell
// (row, column, type, value), which must be equal: the same cells, typed alike.
// --warm N: each process reads the sheet N times before the read it measures, so that the measured read runs tiered-up
// code, as a long-running service's does (a fresh process reads mostly with tier-0 code). --import-columns: XlsxWorkbook
// reads only the cells the import reads (工号, UserId, 考勤日期, 打卡时间), as services/PunchLedger/Imports/DingTalkExports asks.
// Usage: dotnet run -c Release --project bench/XlsxReaders.Benchmarks [-- --rows 100000 --runs 3 --dimension --readers a,b --warm 0 --import-columns]
string[] readers = ["none", "inflate-only", "XmlReader-only", "XlsxWorkbook", "ExcelDataReader", "MiniExcel", "OpenXml-SAX"];
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length ? args[x.i + 1] : "");

if (options.TryGetValue("reader", out var only))
{
    var file = options["file"];
    int[]? columnsRead = options.ContainsKey("import-columns") ? [3, 5, 6, 8] : null; // see WriteExport's header row
    Result Read(Stopwatch clock) => only switch
    {
        "none" => Baseline(file),
        "inflate-only" => InflateOnly(file, clock),
        "XmlReader-only" => XmlReaderOnly(file, clock),
        "XlsxWorkbook" => WithXlsxWorkbook(file, clock, columnsRead),
        "ExcelDataReader" => WithExcelDataReader(file, clock),
        "MiniExcel" => WithMiniExcel(file, clock),
        "OpenXml-SAX" => WithOpenXmlSax(file, clock),
        _ => throw new ArgumentException(only),
    };
    for (var warm = int.Parse(options.GetValueOrDefault("warm", "0"), CultureInfo.InvariantCulture); warm > 0; warm--) Read(Stopwatch.StartNew());
    var allocatedBefore = GC.GetTotalAllocatedBytes();
    var clock = Stopwatch.StartNew();
    var result = Read(clock);
    var elapsed = clock.Elapsed;
    var peak = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    Console.WriteLine(string.Join('\t', only, result.Rows, result.Chars, result.FirstRow.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
        elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
        long.Parse(peak.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024,
        (GC.GetTotalAllocatedBytes() - allocatedBefore) / (1024 * 1024), result.Checksum?.ToString("x16", CultureInfo.InvariantCulture) ?? "-"));
    return;
}

var count = int.Parse(options.GetValueOrDefault("rows", "100000"), CultureInfo.InvariantCulture);
var runs = int.Parse(options.GetValueOrDefault("runs", "3"), CultureInfo.InvariantCulture);
var withDimension = options.ContainsKey("dimension");
if (options.TryGetValue("readers", out var chosen)) readers = chosen.Split(',');
var path = Path.Combine(Path.GetTempPath(), $"xlsx-readers-{Environment.ProcessId}.xlsx");
try
{
    using (var output = File.Create(path))
        WriteExport(output, count, withDimension);
    Console.WriteLine($"workbook: {count:N0} punch rows in 原始记录{(withDimension ? " (sheets with <dimension>)" : "")}, " +
        $"{new FileInfo(path).Length / 1024.0 / 1024.0:F1} MiB; {runs} rounds of every reader, each run in its own process");
    Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    Console.WriteLine("reader\trows\tchars read\tfirst row s\tseconds\tpeak RSS MiB\tallocated MiB\tcell checksum");
    // Rounds of every reader in turn (not every run of one reader, then the next), so a change in the shared machine's
    // load falls on all readers alike.
    for (var run = 0; run < runs; run++)
        foreach (var reader in readers)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            foreach (var a in Environment.GetCommandLineArgs().Take(1).Where(a => a.EndsWith(".dll", StringComparison.Ordinal))) start.ArgumentList.Add(a);
            foreach (var a in new[] { "--reader", reader, "--file", path, "--warm", options.GetValueOrDefault("warm", "0") }) start.ArgumentList.Add(a);
            if (options.ContainsKey("import-columns")) start.ArgumentList.Add("--import-columns");
            using var child = Process.Start(start)!;
            Console.Write(child.StandardOutput.ReadToEnd());
            child.WaitForExit();
        }
}
finally
{
    File.Delete(path);
}
Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

// A 原始记录 export as DingTalk's console writes it, with the workbook's other sheets (small) around it.
static void WriteExport(Stream output, int count, bool withDimension)
{
    using var workbook = new XlsxWorkbookWriter(output);
    workbook.StartSheet("月度汇总", withDimension ? "A1:G2" : null);
    workbook.Row(1, "月度汇总 统计日期：2026-03-01 至 2026-03-31");
    workbook.Row(2, "姓名", "考勤组", "部门", "工号", "职位", "UserId", "出勤天数");
    workbook.StartSheet("原始记录", withDimension ? $"A1:O{count + 3}" : null);
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
    workbook.StartSheet("每日统计", withDimension ? "A1:A1" : null);
    workbook.Row(1, "每日统计 统计日期：2026-03-01 至 2026-03-31");
}

static Result Baseline(string file)
{
    using var stream = File.OpenRead(file);
    return new(0, stream.Length, TimeSpan.Zero, null);
}

// The floors under a one-pass reader: the 原始记录 part only decompressed, then only tokenized by XmlReader (no cells).
static Result InflateOnly(string file, Stopwatch clock)
{
    using var zip = new System.IO.Compression.ZipArchive(File.OpenRead(file));
    using var part = zip.GetEntry("xl/worksheets/sheet2.xml")!.Open();
    var buffer = new byte[64 * 1024];
    long bytes = 0;
    for (int n; (n = part.Read(buffer)) > 0;) bytes += n;
    return new(0, bytes, clock.Elapsed, null);
}

static Result XmlReaderOnly(string file, Stopwatch clock)
{
    using var zip = new System.IO.Compression.ZipArchive(File.OpenRead(file));
    using var xml = System.Xml.XmlReader.Create(zip.GetEntry("xl/worksheets/sheet2.xml")!.Open());
    var rows = 0;
    while (xml.Read())
        if (xml.NodeType == System.Xml.XmlNodeType.Element && xml.LocalName == "row") rows++;
    return new(rows, 0, clock.Elapsed, null);
}

static Result WithXlsxWorkbook(string file, Stopwatch clock, int[]? columnsRead)
{
    using var stream = File.OpenRead(file);
    using var workbook = XlsxWorkbook.Open(stream);
    using var sheet = workbook.OpenSheet(workbook.SheetNames.ToList().IndexOf("原始记录"));
    if (columnsRead is not null) sheet.ReadOnlyColumns(columnsRead);
    var tally = new Tally(clock);
    while (sheet.Read(out var cells))
    {
        tally.Row(sheet.RowNumber);
        for (var i = 0; i < cells.Length; i++) tally.Cell(i, cells[i]);
    }
    return tally.Result(withChecksum: true);
}

static Result WithExcelDataReader(string file, Stopwatch clock)
{
    System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance); // its configuration asks for 1252
    using var stream = File.OpenRead(file);
    using var reader = ExcelReaderFactory.CreateOpenXmlReader(stream);
    var tally = new Tally(clock);
    do
    {
        if (reader.Name != "原始记录") continue;
        var number = 0;
        while (reader.Read())
        {
            tally.Row(++number);
            for (var i = 0; i < reader.FieldCount; i++) tally.Cell(i, reader.GetValue(i));
        }
    } while (reader.NextResult());
    return tally.Result(withChecksum: true);
}

static Result WithMiniExcel(string file, Stopwatch clock)
{
    using var stream = File.OpenRead(file);
    var tally = new Tally(clock);
    var number = 0;
    foreach (IDictionary<string, object?> row in MiniExcel.Query(stream, useHeaderRow: false, sheetName: "原始记录"))
    {
        tally.Row(++number);
        var i = 0;
        foreach (var value in row.Values) tally.Cell(i++, value);
    }
    return tally.Result(withChecksum: false); // its own typing (e.g. numbers as decimal or int): not comparable
}

static Result WithOpenXmlSax(string file, Stopwatch clock)
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
    var tally = new Tally(clock);
    var number = 0;
    while (reader.Read())
    {
        if (reader.ElementType != typeof(Row) || !reader.IsStartElement) continue;
        tally.Row(++number);
        var row = (Row)reader.LoadCurrentElement()!;
        var i = 0;
        foreach (var cell in row.Elements<Cell>())
        {
            var text = cell.DataType?.Value == CellValues.SharedString ? strings[int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)]
                : cell.DataType?.Value == CellValues.InlineString ? cell.InlineString!.InnerText
                : cell.CellValue?.Text;
            tally.Cell(i++, text); // text only (no typing by number format): not comparable
        }
    }
    return tally.Result(withChecksum: false);
}

record Result(int Rows, long Chars, TimeSpan FirstRow, ulong? Checksum);

/// <summary>
/// What a reader read: rows, characters of the cells' invariant text, when the first row came, and a checksum (FNV-1a)
/// of every non-empty cell's row, column, type and value.
/// </summary>
sealed class Tally(Stopwatch clock)
{
    private int rows;
    private int row;
    private long chars;
    private TimeSpan firstRow;
    private ulong hash = 14695981039346656037;

    public void Row(int number)
    {
        if (rows++ == 0) firstRow = clock.Elapsed;
        row = number;
    }

    public void Cell(int column, object? value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture);
        chars += text?.Length ?? 0;
        if (value is null) return;
        var typed = value switch
        {
            DateTime date => $"{row}:{column}:d:{date.Ticks}",
            double number => $"{row}:{column}:n:{number.ToString("R", CultureInfo.InvariantCulture)}",
            _ => $"{row}:{column}:{value.GetType().Name}:{text}",
        };
        foreach (var c in typed) hash = (hash ^ c) * 1099511628211;
    }

    public Result Result(bool withChecksum) => new(rows, chars, firstRow, withChecksum ? hash : null);
}
