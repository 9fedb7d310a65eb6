using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace HrmsAttendance.Tests.Shared;

/// <summary>
/// Writes .xlsx workbooks for tests and benchmarks, the way spreadsheet programs store them: a zip of SpreadsheetML
/// parts, text in the shared-string table (or inline, as some exporters write it), numbers as numbers, merged ranges
/// (a merged cell's value sits in its top-left cell only). Rows are streamed into the zip as they are added, so a
/// 100,000-row sheet does not sit in memory (only the shared strings do).
/// </summary>
public sealed class XlsxWorkbookWriter : IDisposable
{
    private readonly ZipArchive zip;
    private readonly List<string> sheetNames = [];
    private readonly Dictionary<string, int> sharedIndex = new(StringComparer.Ordinal);
    private readonly List<string> shared = [];
    private readonly bool inlineStrings;
    private StreamWriter? sheet;
    private List<string>? merges;
    private bool finished;

    public XlsxWorkbookWriter(Stream output, bool inlineStrings = false)
    {
        zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        this.inlineStrings = inlineStrings;
    }

    /// <summary>
    /// Starts a sheet (ends the previous one). Rows are then added in ascending row number. <paramref name="dimension"/>
    /// (such as <c>A1:O100003</c>) is written as the sheet's used range, as Excel writes it; by default there is none.
    /// </summary>
    public void StartSheet(string name, string? dimension = null)
    {
        EndSheet();
        sheetNames.Add(name);
        var entry = zip.CreateEntry($"xl/worksheets/sheet{sheetNames.Count}.xml", CompressionLevel.Fastest);
        sheet = new StreamWriter(entry.Open(), new UTF8Encoding(false));
        merges = [];
        sheet.Write("""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">""");
        if (dimension is not null) sheet.Write($"<dimension ref=\"{dimension}\"/>");
        sheet.Write("<sheetData>");
    }

    /// <summary>
    /// One row (1-based number as Excel shows it). A cell is a string (text), a number (int/long/double: stored as a
    /// number) or null (no cell); cells start at column A.
    /// </summary>
    public void Row(int rowNumber, params object?[] cells)
    {
        var writer = sheet ?? throw new InvalidOperationException("StartSheet first");
        writer.Write($"<row r=\"{rowNumber}\">");
        for (var c = 0; c < cells.Length; c++)
        {
            var reference = ColumnName(c) + rowNumber.ToString(CultureInfo.InvariantCulture);
            switch (cells[c])
            {
                case null:
                    break;
                case string text when inlineStrings:
                    writer.Write($"<c r=\"{reference}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{SecurityElement.Escape(text)}</t></is></c>");
                    break;
                case string text:
                    if (!sharedIndex.TryGetValue(text, out var index))
                    {
                        index = shared.Count;
                        shared.Add(text);
                        sharedIndex.Add(text, index);
                    }
                    writer.Write($"<c r=\"{reference}\" t=\"s\"><v>{index}</v></c>");
                    break;
                case IFormattable number:
                    writer.Write($"<c r=\"{reference}\"><v>{number.ToString(null, CultureInfo.InvariantCulture)}</v></c>");
                    break;
                default:
                    throw new ArgumentException($"cell {reference}: {cells[c]!.GetType()} is neither text nor a number");
            }
        }
        writer.Write("</row>");
    }

    /// <summary>Merges a range such as <c>A3:A4</c> (write its value in the top-left cell only).</summary>
    public void Merge(string range) => (merges ?? throw new InvalidOperationException("StartSheet first")).Add(range);

    public static string ColumnName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }

    private void EndSheet()
    {
        if (sheet is null) return;
        sheet.Write("</sheetData>");
        if (merges is { Count: > 0 })
            sheet.Write($"<mergeCells count=\"{merges.Count}\">{string.Concat(merges.Select(m => $"<mergeCell ref=\"{m}\"/>"))}</mergeCells>");
        sheet.Write("</worksheet>");
        sheet.Dispose();
        sheet = null;
    }

    /// <summary>Writes the workbook's remaining parts and closes the zip.</summary>
    public void Finish()
    {
        if (finished) return;
        finished = true;
        EndSheet();
        var sheets = string.Concat(sheetNames.Select((n, i) => $"<sheet name=\"{SecurityElement.Escape(n)}\" sheetId=\"{i + 1}\" r:id=\"rId{i + 1}\"/>"));
        var sheetRels = string.Concat(sheetNames.Select((_, i) =>
            $"<Relationship Id=\"rId{i + 1}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i + 1}.xml\"/>"));
        var n = sheetNames.Count;
        Part("[Content_Types].xml", $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{string.Concat(sheetNames.Select((_, i) => $"<Override PartName=\"/xl/worksheets/sheet{i + 1}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))}<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>""");
        Part("_rels/.rels", """<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
        Part("xl/workbook.xml", $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>""");
        Part("xl/_rels/workbook.xml.rels", $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{sheetRels}<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>""");
        Part("xl/styles.xml", """<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>""");
        var entry = zip.CreateEntry("xl/sharedStrings.xml", CompressionLevel.Fastest);
        using (var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false)))
        {
            writer.Write($"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{shared.Count}" uniqueCount="{shared.Count}">""");
            foreach (var text in shared) writer.Write($"<si><t xml:space=\"preserve\">{SecurityElement.Escape(text)}</t></si>");
            writer.Write("</sst>");
        }
        zip.Dispose();
    }

    private void Part(string name, string xml)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open(), new UTF8Encoding(false));
        writer.Write(xml);
    }

    public void Dispose() => Finish();
}
