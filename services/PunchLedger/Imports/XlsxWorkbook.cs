using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>An .xlsx the reader cannot read: not a zip, parts missing, XML broken, a cell that refers to nothing.</summary>
public sealed class XlsxFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A part of the workbook that expands beyond <see cref="XlsxLimits"/> (a zip bomb, or a file far too large).</summary>
public sealed class XlsxLimitException(string message) : Exception(message);

/// <summary>
/// How far the workbook's parts may expand when decompressed. The shared-string table is held in memory (every reader
/// has to), so it has its own, smaller bound; a sheet streams, so its bound is one of time, not memory — but one row
/// (its inline strings and formula results included) is held whole, so a row has a bound of its own (what its XML
/// expands to, counted as it is read).
/// </summary>
public sealed record XlsxLimits(long MaxSharedStringsBytes, long MaxPartBytes, long MaxTotalBytes, long MaxRowBytes = 4L << 20)
{
    /// <summary>
    /// A 100,000-row 原始记录 sheet expands to ~40 MiB and its shared strings to ~2 MiB; the part bounds are ~25× that,
    /// while a zip bomb's parts expand without end. The shared strings are held in memory, where a table of tiny items
    /// costs ~2× its XML (a string object per item): 32 MiB (16× a 100,000-row file's) keeps that under ~64 MiB.
    /// </summary>
    public static XlsxLimits Default { get; } = new(MaxSharedStringsBytes: 32L << 20, MaxPartBytes: 1L << 30, MaxTotalBytes: 1L << 30);
}

/// <summary>
/// Reads an .xlsx workbook in one pass per sheet: the package's directory, workbook.xml (sheet names and their parts,
/// through workbook.xml.rels; the 1904 date system), the shared strings and the styles (which number formats are dates)
/// first, then a sheet's XML streamed row by row with <see cref="XmlReader"/> — no pass over a sheet before it is read.
/// Cells come out typed as the import needs them: text (shared, inline, formula results) as <see cref="string"/>,
/// numbers as <see cref="double"/>, numbers in a date or time format as <see cref="DateTime"/> (time-only values on
/// 1899-12-30, Excel's day 0), booleans as <see cref="bool"/>, errors and empty cells as null.
/// The stream must be seekable (a zip's directory is at its end).
/// </summary>
public sealed class XlsxWorkbook : IDisposable
{
    private const string MainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string StrictMainNamespace = "http://purl.oclc.org/ooxml/spreadsheetml/main";
    private const string RelationshipsNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string StrictRelationshipsNamespace = "http://purl.oclc.org/ooxml/officeDocument/relationships";

    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> entries;
    private readonly XlsxLimits limits;
    private readonly List<(string Name, string Part)> sheets = [];
    private readonly List<string> sheetNames = [];
    private readonly List<string> sharedStrings = [];
    private bool[] dateStyles = [];
    private bool date1904;
    private long expandedBytes;

    private XlsxWorkbook(ZipArchive zip, XlsxLimits limits)
    {
        this.zip = zip;
        this.limits = limits;
        // Part names in a package are case-insensitive; some writers store backslashes.
        entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in zip.Entries) entries.TryAdd(entry.FullName.Replace('\\', '/').TrimStart('/'), entry);
    }

    /// <summary>The sheets in the workbook's order, by name.</summary>
    public IReadOnlyList<string> SheetNames => sheetNames;

    /// <summary>Whether the workbook counts its dates from 1904 (old Mac workbooks) instead of 1900.</summary>
    public bool Date1904 => date1904;

    /// <summary>Opens the package and reads everything but the sheets (workbook, relationships, shared strings, styles).</summary>
    public static XlsxWorkbook Open(Stream seekable, XlsxLimits? limits = null, bool leaveOpen = false)
    {
        CheckPartCount(seekable);
        ZipArchive zip;
        try { zip = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen); }
        catch (InvalidDataException e) { throw new XlsxFormatException($"not a zip package ({e.Message})", e); }
        try
        {
            // ZipArchive reads its central directory when the entries are first asked for (here), not when it is opened.
            var workbook = new XlsxWorkbook(zip, limits ?? XlsxLimits.Default);
            workbook.ReadGlobals();
            return workbook;
        }
        catch (Exception e)
        {
            zip.Dispose();
            if (e is InvalidDataException or XmlException) throw new XlsxFormatException($"the package cannot be read ({e.Message})", e);
            throw;
        }
    }

    /// <summary>
    /// The most parts a package may have. A workbook has a few dozen; ZipArchive holds an object per entry of the central
    /// directory, so a file of tiny entries would cost ~4× its size in memory before any other limit is reached.
    /// </summary>
    private const int MaxParts = 10_000;

    /// <summary>
    /// Refuses a package whose end-of-central-directory record counts more than <see cref="MaxParts"/> entries, before
    /// ZipArchive reads the directory. A ZIP64 package (some writers always write one) has 0xFFFF there and its count in
    /// the ZIP64 end record, which the locator just before the end record points to; an unreadable ZIP64 count is taken
    /// as 0xFFFF. A file without the end record is left to ZipArchive, which says it is no zip.
    /// </summary>
    private static void CheckPartCount(Stream seekable)
    {
        const int RecordLength = 22, LocatorLength = 20, Zip64RecordLength = 56; // (the end record's comment: at most 65,535 bytes)
        var start = seekable.Position;
        var tail = (int)Math.Min(seekable.Length - start, RecordLength + ushort.MaxValue);
        if (tail < RecordLength) return;
        var buffer = new byte[tail];
        seekable.Seek(-tail, SeekOrigin.End);
        seekable.ReadExactly(buffer);
        for (var i = tail - RecordLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i)) != 0x06054b50) continue;
            long entries = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(i + 10));
            if (entries == ushort.MaxValue && i >= LocatorLength && BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i - LocatorLength)) == 0x07064b50)
            {
                var recordOffset = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(i - LocatorLength + 8));
                if (recordOffset >= 0 && recordOffset <= seekable.Length - start - Zip64RecordLength)
                {
                    var record = new byte[Zip64RecordLength];
                    seekable.Position = start + recordOffset;
                    seekable.ReadExactly(record);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(record) == 0x06064b50)
                        entries = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(32));
                }
            }
            seekable.Position = start;
            if (entries is > MaxParts or < 0)
                throw new XlsxLimitException($"the package has {(entries < 0 ? "too many" : entries.ToString("N0", CultureInfo.InvariantCulture))} parts, more than the {MaxParts:N0} a workbook may have");
            return;
        }
        seekable.Position = start;
    }

    /// <summary>Streams the sheet at <paramref name="index"/> (in <see cref="SheetNames"/>' order) from its first row.</summary>
    public XlsxRowReader OpenSheet(int index)
    {
        var part = sheets[index].Part;
        var stream = OpenPart(Entry(part) ?? throw new XlsxFormatException($"sheet {sheets[index].Name}'s part {part} is missing"), limits.MaxPartBytes);
        return new XlsxRowReader(this, CreateXml(stream), () => stream.StartRow(limits.MaxRowBytes), sheets[index].Name);
    }

    public void Dispose() => zip.Dispose();

    // ------------------------------------------------------------------------------------------------------------------
    // package, workbook, shared strings, styles
    // ------------------------------------------------------------------------------------------------------------------

    private void ReadGlobals()
    {
        // The package's root relationships name the workbook part (xl/workbook.xml by convention).
        var workbookPart = Relationships("_rels/.rels", "").FirstOrDefault(r => r.Type.EndsWith("/officeDocument", StringComparison.Ordinal)).Target
            ?? "xl/workbook.xml";
        var workbookEntry = Entry(workbookPart) ?? throw new XlsxFormatException($"the workbook part {workbookPart} is missing");
        var folder = workbookPart.Contains('/') ? workbookPart[..(workbookPart.LastIndexOf('/') + 1)] : "";
        var rels = Relationships($"{folder}_rels/{workbookPart[folder.Length..]}.rels", folder);
        var targets = rels.ToDictionary(r => r.Id, r => r.Target, StringComparer.Ordinal);

        // Every part's declared size is checked before any is read, so a bomb is refused before the first row.
        var declared = 0L;
        foreach (var rel in rels)
            if (Entry(rel.Target) is { } entry)
            {
                var isStrings = rel.Type.EndsWith("/sharedStrings", StringComparison.Ordinal);
                Check(rel.Target, entry.Length, isStrings ? limits.MaxSharedStringsBytes : limits.MaxPartBytes);
                declared += entry.Length;
            }
        if (declared > limits.MaxTotalBytes)
            throw new XlsxLimitException($"the workbook's parts expand to {declared:N0} bytes, more than the {limits.MaxTotalBytes:N0} allowed");

        using (var xml = OpenXml(workbookEntry, limits.MaxPartBytes))
            while (xml.Read())
            {
                if (xml.NodeType != XmlNodeType.Element || !IsMain(xml)) continue;
                if (xml.LocalName == "workbookPr")
                    date1904 = xml.GetAttribute("date1904") is "1" or "true";
                else if (xml.LocalName == "sheet")
                {
                    var name = xml.GetAttribute("name") ?? "";
                    var id = xml.GetAttribute("id", RelationshipsNamespace) ?? xml.GetAttribute("id", StrictRelationshipsNamespace);
                    if (id is null || !targets.TryGetValue(id, out var part))
                        throw new XlsxFormatException($"sheet {name} names no part in {workbookPart}'s relationships");
                    sheets.Add((name, part));
                    sheetNames.Add(name);
                }
            }

        foreach (var rel in rels)
        {
            if (rel.Type.EndsWith("/sharedStrings", StringComparison.Ordinal) && Entry(rel.Target) is { } strings)
                ReadSharedStrings(strings);
            else if (rel.Type.EndsWith("/styles", StringComparison.Ordinal) && Entry(rel.Target) is { } styles)
                ReadStyles(styles);
        }
    }

    private void ReadSharedStrings(ZipArchiveEntry entry)
    {
        using var xml = OpenXml(entry, limits.MaxSharedStringsBytes);
        xml.Read();
        while (!xml.EOF)
        {
            // ReadText leaves the reader on the node after the item, which may be the next <si>.
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "si" && IsMain(xml)) sharedStrings.Add(ReadText(xml));
            else xml.Read();
        }
    }

    /// <summary>Which cell styles (cellXfs, by index) show a number as a date or time.</summary>
    private void ReadStyles(ZipArchiveEntry entry)
    {
        var customFormats = new Dictionary<int, string>();
        var styleFormats = new List<int>();
        using (var xml = OpenXml(entry, limits.MaxPartBytes))
            while (xml.Read())
            {
                if (xml.NodeType != XmlNodeType.Element || !IsMain(xml)) continue;
                if (xml.LocalName == "numFmts" && !xml.IsEmptyElement)
                {
                    // Only numFmts' own numFmt children: a dxf (conditional formatting) has numFmt elements of its own.
                    var depth = xml.Depth;
                    while (xml.Read() && xml.Depth > depth)
                        if (xml.NodeType == XmlNodeType.Element && xml.Depth == depth + 1 && xml.LocalName == "numFmt"
                            && int.TryParse(xml.GetAttribute("numFmtId"), CultureInfo.InvariantCulture, out var id))
                            customFormats[id] = xml.GetAttribute("formatCode") ?? "";
                }
                else if (xml.LocalName == "cellXfs" && !xml.IsEmptyElement)
                {
                    // Only cellXfs' own xf children: cellStyleXfs has xf elements too, indexed separately.
                    var depth = xml.Depth;
                    while (xml.Read() && xml.Depth > depth)
                        if (xml.NodeType == XmlNodeType.Element && xml.Depth == depth + 1 && xml.LocalName == "xf")
                            styleFormats.Add(int.TryParse(xml.GetAttribute("numFmtId"), CultureInfo.InvariantCulture, out var format) ? format : 0);
                }
            }
        dateStyles = [.. styleFormats.Select(f => customFormats.TryGetValue(f, out var code) ? IsDateFormat(code) : IsBuiltInDateFormat(f))];
    }

    /// <summary>
    /// Built-in formats that show dates or times: 14–22 and 45–47 in every locale, and 27–36 and 50–58, which are
    /// date formats in the Chinese, Japanese and Korean locales (yyyy"年"m"月"d"日", h"时"mm"分" …) that a
    /// Chinese-locale Excel or WPS stores by id.
    /// </summary>
    public static bool IsBuiltInDateFormat(int id) => id is (>= 14 and <= 22) or (>= 27 and <= 36) or (>= 45 and <= 47) or (>= 50 and <= 58);

    /// <summary>
    /// Whether a custom number format shows a date or time: its first section has a y, m, d, h or s token outside quoted
    /// text, backslash-escaped characters, the character after _ (a space as wide as it) or * (a fill), and brackets
    /// ([Red], [$-804], [DBNum1], [&gt;100]); the elapsed-time brackets [h], [mm], [ss] are time tokens.
    /// </summary>
    public static bool IsDateFormat(string format)
    {
        for (var i = 0; i < format.Length; i++)
        {
            switch (format[i])
            {
                case ';':
                    return false; // only the first (positive numbers') section decides
                case '"':
                    var close = format.IndexOf('"', i + 1);
                    i = close < 0 ? format.Length : close;
                    break;
                case '\\' or '_' or '*':
                    i++;
                    break;
                case '[':
                    var end = format.IndexOf(']', i + 1);
                    if (end < 0) return false;
                    var inside = format.AsSpan(i + 1, end - i - 1);
                    if (inside.Length > 0 && inside.IndexOfAnyExcept(inside[0]) < 0 && char.ToLowerInvariant(inside[0]) is 'h' or 'm' or 's')
                        return true;
                    i = end;
                    break;
                case 'y' or 'Y' or 'm' or 'M' or 'd' or 'D' or 'h' or 'H' or 's' or 'S':
                    return true;
            }
        }
        return false;
    }

    private static void Check(string part, long bytes, long limit)
    {
        if (bytes > limit)
            throw new XlsxLimitException($"the part {part} expands to {bytes:N0} bytes, more than the {limit:N0} allowed");
    }

    private ZipArchiveEntry? Entry(string part) => entries.GetValueOrDefault(part.TrimStart('/'));

    /// <summary>A part's relationships (Id, Type, Target resolved to a part name), or none when it has no .rels part.</summary>
    private List<(string Id, string Type, string Target)> Relationships(string relsPart, string baseFolder)
    {
        var list = new List<(string, string, string)>();
        if (Entry(relsPart) is not { } entry) return list;
        using var xml = OpenXml(entry, limits.MaxPartBytes);
        while (xml.Read())
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "Relationship" && xml.GetAttribute("TargetMode") != "External"
                && xml.GetAttribute("Id") is { } id && xml.GetAttribute("Target") is { } target)
                list.Add((id, xml.GetAttribute("Type") ?? "", ResolvePart(baseFolder, target)));
        return list;
    }

    /// <summary>A relationship's target as a part name: absolute (/xl/…) or relative to the source's folder, with . and .. resolved.</summary>
    private static string ResolvePart(string baseFolder, string target)
    {
        var path = Uri.UnescapeDataString(target.Replace('\\', '/'));
        var segments = new List<string>();
        foreach (var segment in (path.StartsWith('/') ? path : baseFolder + path).Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..") { if (segments.Count > 0) segments.RemoveAt(segments.Count - 1); }
            else segments.Add(segment);
        }
        return string.Join('/', segments);
    }

    private static readonly XmlReaderSettings XmlSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit, // no entity expansion (the other kind of bomb)
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false, // whitespace inside <t> is text
        CloseInput = true,
    };

    private XmlReader OpenXml(ZipArchiveEntry entry, long partLimit) => CreateXml(OpenPart(entry, partLimit));

    /// <summary>An XML reader over a part; XmlReader.Create reads the part's first bytes, so a part that fails there is closed.</summary>
    private static XmlReader CreateXml(Stream part)
    {
        try { return XmlReader.Create(part, XmlSettings); }
        catch
        {
            part.Dispose();
            throw;
        }
    }

    private ExpansionLimitedStream OpenPart(ZipArchiveEntry entry, long partLimit)
    {
        Stream stream;
        try { stream = entry.Open(); }
        catch (InvalidDataException e) { throw new XlsxFormatException($"the part {entry.FullName} cannot be opened ({e.Message})", e); }
        return new ExpansionLimitedStream(stream, this, entry.FullName, partLimit);
    }

    private static bool IsMain(XmlReader xml) => xml.NamespaceURI is MainNamespace or StrictMainNamespace;

    /// <summary>
    /// The text of a string item (&lt;si&gt; or &lt;is&gt;, positioned on it): its &lt;t&gt;, or its rich-text runs'
    /// &lt;r&gt;&lt;t&gt; joined; phonetic runs (&lt;rPh&gt;) and run properties are not text. Leaves the reader after the item.
    /// </summary>
    internal static string ReadText(XmlReader xml)
    {
        if (xml.IsEmptyElement)
        {
            xml.Read();
            return "";
        }
        var depth = xml.Depth;
        string? single = null;
        StringBuilder? joined = null;
        xml.Read();
        while (xml.Depth > depth)
        {
            if (xml.NodeType != XmlNodeType.Element)
            {
                if (!xml.Read()) break;
                continue;
            }
            switch (xml.LocalName)
            {
                case "t":
                    var text = xml.ReadElementContentAsString();
                    if (single is null && joined is null) single = text;
                    else (joined ??= new StringBuilder(single)).Append(text);
                    break;
                case "r":
                    xml.Read(); // into the run: its <t> is text, its <rPr> is skipped below
                    break;
                default:
                    xml.Skip(); // rPh, rPr, phoneticPr
                    break;
            }
        }
        if (xml.NodeType != XmlNodeType.EndElement) throw new XlsxFormatException("a string item is not closed");
        xml.Read();
        return Unescape(joined?.ToString() ?? single ?? "");
    }

    /// <summary>
    /// Decodes OOXML's _xHHHH_ escapes (characters XML cannot carry, such as control characters, written as their UTF-16
    /// code; _x005F_ is a literal underscore, so _x005F_x0041_ reads as the text _x0041_).
    /// </summary>
    public static string Unescape(string text)
    {
        var at = text.IndexOf("_x", StringComparison.Ordinal);
        if (at < 0) return text;
        var result = new StringBuilder(text.Length);
        var copied = 0;
        while (at >= 0)
        {
            if (at + 7 <= text.Length && text[at + 6] == '_'
                && ushort.TryParse(text.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                result.Append(text, copied, at - copied).Append((char)code);
                copied = at + 7;
                at = text.IndexOf("_x", copied, StringComparison.Ordinal);
            }
            else at = text.IndexOf("_x", at + 1, StringComparison.Ordinal);
        }
        return result.Append(text, copied, text.Length - copied).ToString();
    }

    // ------------------------------------------------------------------------------------------------------------------
    // cells
    // ------------------------------------------------------------------------------------------------------------------

    internal string SharedString(string index, string reference)
    {
        if (int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < sharedStrings.Count) return sharedStrings[i];
        throw new XlsxFormatException($"cell {reference} refers to shared string {index}, but the workbook has {sharedStrings.Count}");
    }

    internal bool IsDateStyle(int style) => style >= 0 && style < dateStyles.Length && dateStyles[style];

    /// <summary>A serial date (days since 1899-12-30, or since 1904-01-01 in the 1904 system) as a DateTime, or null when out of range.</summary>
    internal DateTime? SerialDate(double serial)
    {
        // 1904-01-01 is day 1462 of the 1900 system. A value under 1 is a time of day in either system: it stays on day 0,
        // as the import reads a time cell.
        if (date1904 && serial >= 1) serial += 1462;
        // DateTime.FromOADate counts from 1899-12-30 like Excel's 1900 system (whose day 60, the 1900-02-29 Excel
        // believes in, then reads as 1900-02-28; every later serial is right).
        return serial is > -657435.0 and < 2958466.0 ? DateTime.FromOADate(serial) : null;
    }

    private void CountExpanded(int bytes, string part)
    {
        expandedBytes += bytes;
        if (expandedBytes > limits.MaxTotalBytes)
            throw new XlsxLimitException($"the workbook expands to more than the {limits.MaxTotalBytes:N0} bytes allowed (at part {part})");
    }

    /// <summary>
    /// Counts what a part decompresses to and stops it at the limits. ZipArchive itself ends a part at its declared size
    /// (a part that lies about it reads as truncated XML), so this keeps the bound independent of that behaviour.
    /// </summary>
    private sealed class ExpansionLimitedStream(Stream inner, XlsxWorkbook workbook, string part, long partLimit) : ForwardOnlyReadStream
    {
        private long read;
        private long rowStart = -1;
        private long rowLimit;

        /// <summary>A row starts here: from now on (until the next row starts) at most <paramref name="limit"/> bytes may be read (give or take the XML reader's buffer).</summary>
        public void StartRow(long limit)
        {
            rowStart = read;
            rowLimit = limit;
        }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        private int Counted(int bytes)
        {
            read += bytes;
            if (read > partLimit) throw new XlsxLimitException($"the part {part} expands to more than the {partLimit:N0} bytes allowed");
            if (rowStart >= 0 && read - rowStart > rowLimit)
                throw new XlsxLimitException($"a row of the part {part} expands to more than the {rowLimit:N0} bytes allowed for one row");
            workbook.CountExpanded(bytes, part);
            return bytes;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

    }
}

/// <summary>
/// A sheet's rows, streamed: each <see cref="Read"/> gives the next row present in the sheet's XML with its 1-based
/// number (from its r attribute, else the previous row's + 1) and its cells by column (from each cell's reference,
/// else the previous cell's column + 1; columns without a cell are null). Rows the sheet leaves out are not given.
/// </summary>
public sealed class XlsxRowReader : IDisposable
{
    // Excel's last column (XFD); a reference beyond it is a broken (or hostile) file, not a wider sheet.
    private const int MaxColumns = 16384;
    // Excel's last row.
    private const int MaxRows = 1048576;

    private readonly XlsxWorkbook workbook;
    private readonly XmlReader xml;
    private readonly Action startRow;
    private readonly List<object?> cells = [];
    private bool[]? columnsRead;
    private bool inSheetData;
    private bool ended;
    private int lastCompleteRow;

    internal XlsxRowReader(XlsxWorkbook workbook, XmlReader xml, Action startRow, string sheetName)
    {
        this.workbook = workbook;
        this.xml = xml;
        this.startRow = startRow;
        SheetName = sheetName;
    }

    public string SheetName { get; }

    /// <summary>The row last read: its number as the sheet shows it.</summary>
    public int RowNumber { get; private set; }

    /// <summary>
    /// From the next row on, reads only the cells of these columns (0-based); the others are skipped: <see cref="Read"/>
    /// gives null for them, their values neither read nor typed (XmlReader still passes over their markup).
    /// </summary>
    public void ReadOnlyColumns(IEnumerable<int> columns)
    {
        var read = columns.ToArray();
        columnsRead = new bool[read.Length == 0 ? 0 : read.Max() + 1];
        foreach (var column in read) columnsRead[column] = true;
    }

    /// <summary>Reads the next row: false at the sheet's end. <paramref name="rowCells"/> is a new array per row.</summary>
    public bool Read(out object?[] rowCells)
    {
        rowCells = [];
        if (ended) return false;
        try
        {
            if (!MoveToNextRow())
            {
                ended = true;
                return false;
            }
            startRow(); // what the row expands to is bounded (XlsxLimits.MaxRowBytes): it is held whole
            RowNumber = NextRowNumber(xml.GetAttribute("r"));
            cells.Clear();
            if (xml.IsEmptyElement)
            {
                xml.Read();
                lastCompleteRow = RowNumber;
                return true;
            }
            var rowDepth = xml.Depth;
            xml.Read();
            while (xml.Depth > rowDepth)
            {
                if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "c") ReadCell();
                else if (xml.NodeType == XmlNodeType.Element) xml.Skip();
                else if (!xml.Read()) throw new XlsxFormatException($"row {RowNumber} is not closed");
            }
            xml.Read(); // past </row>
            rowCells = cells.Count == 0 ? [] : [.. cells];
            lastCompleteRow = RowNumber;
            return true;
        }
        catch (XmlException e)
        {
            throw new XlsxFormatException($"sheet {SheetName}'s XML is broken after row {lastCompleteRow}: {e.Message}", e);
        }
    }

    /// <summary>Moves to the next &lt;row&gt; element inside &lt;sheetData&gt;; false when sheetData (or the part) ends.</summary>
    private bool MoveToNextRow()
    {
        if (!inSheetData)
        {
            while (true)
            {
                if (!xml.Read()) return false;
                if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "sheetData")
                {
                    if (xml.IsEmptyElement) return false;
                    inSheetData = true;
                    xml.Read();
                    break;
                }
            }
        }
        while (true)
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Element when xml.LocalName == "row":
                    return true;
                case XmlNodeType.Element:
                    xml.Skip();
                    continue;
                case XmlNodeType.EndElement when xml.LocalName == "sheetData":
                    return false;
                case XmlNodeType.None when xml.EOF:
                    return false;
            }
            if (!xml.Read()) return false;
        }
    }

    private void ReadCell()
    {
        var reference = xml.GetAttribute("r");
        var column = reference is null ? cells.Count : ParseColumn(reference);
        if (column >= MaxColumns) // a cell without a reference after XFD's
            throw new XlsxFormatException($"sheet {SheetName} has a cell outside columns A–XFD (row {RowNumber}, after {Reference(MaxColumns - 1, RowNumber)})");
        while (cells.Count <= column) cells.Add(null);
        if (columnsRead is not null && (column >= columnsRead.Length || !columnsRead[column]))
        {
            xml.Skip(); // the whole cell, its value unread
            return;
        }
        var type = xml.GetAttribute("t");
        var style = xml.GetAttribute("s");
        object? value = null;
        if (xml.IsEmptyElement) xml.Read();
        else
        {
            var cellDepth = xml.Depth;
            string? raw = null;
            xml.Read();
            while (xml.Depth > cellDepth)
            {
                if (xml.NodeType != XmlNodeType.Element)
                {
                    if (!xml.Read()) throw new XlsxFormatException($"cell {reference} in row {RowNumber} is not closed");
                    continue;
                }
                switch (xml.LocalName)
                {
                    case "v":
                        raw = xml.ReadElementContentAsString();
                        break;
                    case "is":
                        value = XlsxWorkbook.ReadText(xml);
                        break;
                    default:
                        xml.Skip(); // <f> (the formula: its result is in <v>), extLst
                        break;
                }
            }
            xml.Read(); // past </c>
            if (raw is not null) value = Typed(raw, type, style, reference ?? Reference(column, RowNumber));
        }
        cells[column] = value;
    }

    private static readonly string[] IsoDateTimes = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];
    private static readonly string[] IsoTimes = [@"hh\:mm", @"hh\:mm\:ss", @"hh\:mm\:ss\.FFFFFFF"];

    private object? Typed(string raw, string? type, string? style, string reference)
    {
        switch (type)
        {
            case "s":
                return workbook.SharedString(raw, reference);
            case "str" or "inlineStr":
                return XlsxWorkbook.Unescape(raw);
            case "b":
                return raw is "1" or "true";
            case "e":
                return null; // #N/A, #DIV/0! …: no value
            case "d":
                // An ISO 8601 date, time or both (Strict files, some writers), without a zone: the sheet's local time; a
                // time alone is on day 0, as a time cell. Anything else (a zone, another spelling) stays text, as stored.
                if (DateTime.TryParseExact(raw, IsoDateTimes, CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso)) return iso;
                return TimeSpan.TryParseExact(raw.StartsWith('T') ? raw[1..] : raw, IsoTimes, CultureInfo.InvariantCulture, out var time)
                    && time < TimeSpan.FromDays(1) ? DateTime.FromOADate(0) + time : raw;
        }
        if (raw.Length == 0) return null;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return raw;
        // A cell without s has style 0 (CT_Cell's default), the first of cellXfs.
        var index = style is null ? 0 : int.TryParse(style, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1;
        if (workbook.IsDateStyle(index) && workbook.SerialDate(number) is { } date)
            return date;
        return number;
    }

    /// <summary>
    /// The next row's number: its r attribute, else the previous row's + 1. Rows must come in ascending order within
    /// Excel's 1,048,576 (a repeated or falling number would give two rows the same number, and the import's line).
    /// </summary>
    private int NextRowNumber(string? r)
    {
        var number = r is null ? (long)RowNumber + 1
            : int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : throw new XlsxFormatException($"sheet {SheetName} has a row numbered {r}");
        if (number < 1 || number > MaxRows)
            throw new XlsxFormatException($"sheet {SheetName} has a row {number} outside rows 1–{MaxRows}");
        if (number <= RowNumber)
            throw new XlsxFormatException($"sheet {SheetName} has row {number} after row {RowNumber}: rows must be in ascending order");
        return (int)number;
    }

    /// <summary>The 0-based column of a cell reference such as C5 (or AB12): its letters.</summary>
    private int ParseColumn(string reference)
    {
        var column = 0;
        var i = 0;
        for (; i < reference.Length && char.IsAsciiLetter(reference[i]); i++)
        {
            column = column * 26 + (char.ToUpperInvariant(reference[i]) - 'A' + 1);
            if (column > MaxColumns) break;
        }
        if (i == 0 || column > MaxColumns)
            throw new XlsxFormatException($"sheet {SheetName} has a cell {reference} outside columns A–XFD (row {RowNumber})");
        return column - 1;
    }

    /// <summary>A cell's A1-style reference, for messages about a cell written without one.</summary>
    private static string Reference(int column, int row)
    {
        var name = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name + row.ToString(CultureInfo.InvariantCulture);
    }

    public void Dispose() => xml.Dispose();
}
