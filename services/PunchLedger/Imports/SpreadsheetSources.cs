using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using ExcelDataReader;
using System.Globalization;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>A row of a sheet or CSV file: its number as a spreadsheet shows it (1-based) and its cells (text, number, date or null).</summary>
public sealed record SheetRow(int Number, object?[] Cells);

/// <summary>The sheet an import reads: its name (null for a CSV file), its header, and the rows after the header.</summary>
public abstract class SheetSource : IAsyncDisposable
{
    public required string? SheetName { get; init; }
    public required DingTalkExports.Header Header { get; init; }

    public abstract IAsyncEnumerable<SheetRow> DataRowsAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// Opens the sheet of a DingTalk file that the import reads. An .xlsx is read with ExcelDataReader (chosen by
/// bench/XlsxReaders.Benchmarks), which needs a seekable stream (a zip's directory is at its end): the stored upload is
/// copied to a temporary file (owner-only, deleted on close), so memory stays bounded by the reader's own (its
/// shared-string table), whatever the file's size (at most <see cref="ImportOptions.MaxFileBytes"/>). CSV text streams.
/// </summary>
public static class SpreadsheetSources
{
    // ExcelDataReader's configuration asks for code page 1252 (its fallback for old files) when it is created.
    static SpreadsheetSources() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Picks the workbook's first 原始记录-shaped sheet, else its first 每日统计-shaped one.</summary>
    public static async Task<SheetSource> OpenWorkbookAsync(Stream file, ParseTimings? timings, CancellationToken ct)
    {
        timings ??= new ParseTimings();
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
            BufferSize = 64 * 1024,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var temp = new FileStream(Path.Combine(Path.GetTempPath(), $"import-{Guid.NewGuid():N}.xlsx"), options);
        IExcelDataReader? reader = null;
        try
        {
            var started = Stopwatch.GetTimestamp();
            await file.CopyToAsync(temp, ct);
            temp.Position = 0;
            timings.CopyTicks += Stopwatch.GetTimestamp() - started;
            started = Stopwatch.GetTimestamp();
            try
            {
                reader = ExcelReaderFactory.CreateOpenXmlReader(temp, new ExcelReaderConfiguration { LeaveOpen = true });
                var (index, name, header) = ChooseSheet(reader, ct);
                reader.Reset();
                for (var i = 0; i < index; i++) reader.NextResult();
                timings.OpenTicks += Stopwatch.GetTimestamp() - started;
                return new WorkbookSheet(temp, reader, timings) { SheetName = name, Header = header };
            }
            catch (Exception e) when (e is not (ImportException or OperationCanceledException))
            {
                throw ImportErrors.Refuse(ImportErrors.FileUnreadable, $"the file is not a readable .xlsx workbook: {e.Message}", e);
            }
        }
        catch
        {
            reader?.Dispose();
            await temp.DisposeAsync();
            throw;
        }
    }

    private static (int Index, string Name, DingTalkExports.Header Header) ChooseSheet(IExcelDataReader reader, CancellationToken ct)
    {
        (int, string, DingTalkExports.Header)? daily = null;
        var sheets = new List<string>();
        var index = 0;
        do
        {
            ct.ThrowIfCancellationRequested();
            var rows = new List<SheetRow>();
            while (rows.Count < DingTalkExports.HeaderSearchRows && reader.Read()) rows.Add(new SheetRow(rows.Count + 1, Cells(reader)));
            sheets.Add(reader.Name);
            switch (DingTalkExports.DetectHeader(rows))
            {
                case { Layout: DingTalkExports.RawRecords } raw:
                    return (index, reader.Name, raw);
                case { Layout: DingTalkExports.DailyStatistics } header:
                    daily ??= (index, reader.Name, header);
                    break;
            }
            index++;
        } while (reader.NextResult());
        return daily ?? throw ImportErrors.Refuse(ImportErrors.FileBadHeader,
            $"no sheet of the workbook has a DingTalk header within its first {DingTalkExports.HeaderSearchRows} rows " +
            $"(UserId or 工号, with 打卡时间 as in 原始记录, or 日期 and 上班1打卡时间 … as in 每日统计); sheets: {string.Join(", ", sheets)}");
    }

    private static object?[] Cells(IExcelDataReader reader)
    {
        var cells = new object?[reader.FieldCount];
        for (var i = 0; i < cells.Length; i++) cells[i] = reader.GetValue(i);
        return cells;
    }

    private sealed class WorkbookSheet(FileStream temp, IExcelDataReader reader, ParseTimings timings) : SheetSource
    {
        public override async IAsyncEnumerable<SheetRow> DataRowsAsync([EnumeratorCancellation] CancellationToken ct)
        {
            var number = 0;
            while (true)
            {
                bool read;
                var started = Stopwatch.GetTimestamp();
                try { read = reader.Read(); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw ImportErrors.Refuse(ImportErrors.FileUnreadable, $"sheet {SheetName} cannot be read after row {number}: {e.Message}", e);
                }
                if (!read) yield break;
                ct.ThrowIfCancellationRequested();
                if (++number <= Header.LastHeaderRow) continue;
                var row = new SheetRow(number, Cells(reader));
                timings.ReadTicks += Stopwatch.GetTimestamp() - started;
                yield return row;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            reader.Dispose();
            await temp.DisposeAsync();
        }
    }

    /// <summary>A CSV re-save of one sheet, decoded with <paramref name="encoding"/>; its header is looked for as in a sheet.</summary>
    public static async Task<SheetSource> OpenCsvAsync(Stream file, Encoding encoding, ParseTimings? timings = null)
    {
        timings ??= new ParseTimings();
        var started = Stopwatch.GetTimestamp();
        var text = new StreamReader(file, encoding, detectEncodingFromByteOrderMarks: true);
        var parser = new CsvParser(text, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            BadDataFound = null, // a stray quote is kept as text; the field's own check then refuses it
            DetectColumnCountChanges = false,
        });
        try
        {
            var first = new List<SheetRow>();
            while (first.Count < DingTalkExports.HeaderSearchRows && await parser.ReadAsync())
                first.Add(new SheetRow(parser.Row, [.. parser.Record ?? []]));
            var header = DingTalkExports.DetectHeader(first) ?? throw ImportErrors.Refuse(ImportErrors.FileBadHeader,
                $"no DingTalk header within the first {DingTalkExports.HeaderSearchRows} rows: a row naming UserId or 工号, with 打卡时间 " +
                $"(原始记录), or 日期 and 上班1打卡时间 … (每日统计); first row: {string.Join(", ", first.FirstOrDefault()?.Cells.Take(20) ?? [])}");
            timings.OpenTicks += Stopwatch.GetTimestamp() - started;
            return new CsvSheet(text, parser, first, timings) { SheetName = null, Header = header };
        }
        catch
        {
            parser.Dispose();
            text.Dispose();
            throw;
        }
    }

    private sealed class CsvSheet(StreamReader text, CsvParser parser, List<SheetRow> first, ParseTimings timings) : SheetSource
    {
        public override async IAsyncEnumerable<SheetRow> DataRowsAsync([EnumeratorCancellation] CancellationToken ct)
        {
            foreach (var row in first.Where(r => r.Number > Header.LastHeaderRow)) yield return row;
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (!await parser.ReadAsync()) yield break;
                ct.ThrowIfCancellationRequested();
                var row = new SheetRow(parser.Row, [.. parser.Record ?? []]);
                timings.ReadTicks += Stopwatch.GetTimestamp() - started;
                yield return row;
            }
        }

        public override ValueTask DisposeAsync()
        {
            parser.Dispose();
            text.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
