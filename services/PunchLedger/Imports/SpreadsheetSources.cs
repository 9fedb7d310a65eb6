using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
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
/// Opens the sheet of a DingTalk file that the import reads. An .xlsx is read with <see cref="XlsxWorkbook"/>, which
/// streams a sheet in one pass (ExcelDataReader, used before, parsed a whole sheet once just to count its rows and
/// columns before reading it: bench/XlsxReaders.Benchmarks). A zip's directory is at its end, so the stored upload is
/// copied to a temporary file first (owner-only, deleted on close); memory stays bounded by the shared-string table,
/// whatever the file's size (at most <see cref="ImportOptions.MaxFileBytes"/>, and its parts' expanded sizes at most
/// <see cref="XlsxLimits.Default"/>). CSV text streams.
/// </summary>
public static class SpreadsheetSources
{
    /// <summary>Picks the workbook's first 原始记录-shaped sheet, else its first 每日统计-shaped one.</summary>
    public static async Task<SheetSource> OpenWorkbookAsync(Stream file, ParseTimings? timings, CancellationToken ct, XlsxLimits? limits = null)
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
        XlsxWorkbook? workbook = null;
        try
        {
            var started = Stopwatch.GetTimestamp();
            await file.CopyToAsync(temp, ct);
            temp.Position = 0;
            timings.CopyTicks += Stopwatch.GetTimestamp() - started;
            started = Stopwatch.GetTimestamp();
            try
            {
                workbook = XlsxWorkbook.Open(temp, limits, leaveOpen: true);
                var (sheet, firstRows, header) = ChooseSheet(workbook, ct);
                timings.OpenTicks += Stopwatch.GetTimestamp() - started;
                return new WorkbookSheet(temp, workbook, sheet, firstRows, timings) { SheetName = sheet.SheetName, Header = header };
            }
            catch (Exception e) when (Refusal(e, "the file is not a readable .xlsx workbook") is { } refusal) { throw refusal; }
        }
        catch
        {
            workbook?.Dispose();
            await temp.DisposeAsync();
            throw;
        }
    }

    /// <summary>The refusal a reading failure becomes: too large when a part expands beyond the limits, else unreadable (<paramref name="context"/> says where).</summary>
    private static ImportException? Refusal(Exception e, string context) => e switch
    {
        ImportException or OperationCanceledException => null,
        XlsxLimitException limit => ImportErrors.Refuse(ImportErrors.FileTooLarge, $"the workbook is too large decompressed (a zip bomb?): {limit.Message}", e),
        _ => ImportErrors.Refuse(ImportErrors.FileUnreadable, $"{context}: {e.Message}", e),
    };

    /// <summary>
    /// Reads each sheet's first <see cref="DingTalkExports.HeaderSearchRows"/> rows (rows the sheet leaves out given
    /// as empty ones, so the row under a header is the sheet's next row) until one has a 原始记录 header; the chosen
    /// sheet's reader stays where it stopped, so the rows after the header are read once.
    /// </summary>
    private static (XlsxRowReader Sheet, List<SheetRow> FirstRows, DingTalkExports.Header Header) ChooseSheet(XlsxWorkbook workbook, CancellationToken ct)
    {
        (XlsxRowReader, List<SheetRow>, DingTalkExports.Header)? daily = null;
        try
        {
            for (var index = 0; index < workbook.SheetNames.Count; index++)
            {
                ct.ThrowIfCancellationRequested();
                var sheet = workbook.OpenSheet(index);
                var keep = false;
                try
                {
                    var rows = new List<SheetRow>();
                    while (sheet.Read(out var cells))
                    {
                        for (var gap = rows.Count + 1; gap < sheet.RowNumber && gap <= DingTalkExports.HeaderSearchRows; gap++) rows.Add(new SheetRow(gap, []));
                        rows.Add(new SheetRow(sheet.RowNumber, cells));
                        if (sheet.RowNumber >= DingTalkExports.HeaderSearchRows) break; // this row may be the first data row
                    }
                    var searched = rows.Where(r => r.Number <= DingTalkExports.HeaderSearchRows).ToList();
                    switch (DingTalkExports.DetectHeader(searched))
                    {
                        case { Layout: DingTalkExports.RawRecords } raw:
                            keep = true;
                            daily?.Item1.Dispose(); // an earlier 每日统计 sheet kept in case no 原始记录 came
                            return (sheet, rows, raw);
                        case { Layout: DingTalkExports.DailyStatistics } header when daily is null:
                            keep = true;
                            daily = (sheet, rows, header);
                            break;
                    }
                }
                finally
                {
                    if (!keep) sheet.Dispose();
                }
            }
        }
        catch
        {
            daily?.Item1.Dispose();
            throw;
        }
        return daily ?? throw ImportErrors.Refuse(ImportErrors.FileBadHeader,
            $"no sheet of the workbook has a DingTalk header within its first {DingTalkExports.HeaderSearchRows} rows " +
            $"(UserId or 工号, with 打卡时间 as in 原始记录, or 日期 and 上班1打卡时间 … as in 每日统计); sheets: {string.Join(", ", workbook.SheetNames)}");
    }

    private sealed class WorkbookSheet(FileStream temp, XlsxWorkbook workbook, XlsxRowReader sheet, List<SheetRow> firstRows, ParseTimings timings) : SheetSource
    {
        public override async IAsyncEnumerable<SheetRow> DataRowsAsync([EnumeratorCancellation] CancellationToken ct)
        {
            foreach (var row in firstRows)
                if (row.Number > Header.LastHeaderRow && row.Cells.Length > 0) yield return row;
            sheet.ReadOnlyColumns(Header.ColumnsRead);
            while (true)
            {
                SheetRow row;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    if (!sheet.Read(out var cells)) yield break;
                    row = new SheetRow(sheet.RowNumber, cells);
                }
                catch (Exception e) when (Refusal(e, $"sheet {SheetName} cannot be read after row {sheet.RowNumber}") is { } refusal) { throw refusal; }
                timings.ReadTicks += Stopwatch.GetTimestamp() - started;
                ct.ThrowIfCancellationRequested();
                yield return row;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            sheet.Dispose();
            workbook.Dispose();
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
