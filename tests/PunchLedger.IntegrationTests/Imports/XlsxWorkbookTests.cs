using System.IO.Compression;
using System.Text;
using HrmsAttendance.PunchLedger.Imports;
using HrmsAttendance.Tests.Shared;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Imports;

/// <summary>
/// The one-pass .xlsx reader (<see cref="XlsxWorkbook"/>) on packages written part by part here, so that each awkward
/// thing a real workbook can hold is present exactly as a spreadsheet program writes it: shared strings with rich-text
/// and phonetic runs, inline strings, formula results, booleans, numbers, dates by built-in and custom number formats in
/// both date systems, sparse rows and cells, escapes, whitespace, long ids; and the limits on what a part expands to.
/// </summary>
public sealed class XlsxWorkbookTests
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /// <summary>
    /// A package: the workbook (its sheets in order), their parts, optional shared strings and styles; <paramref name="workbookPr"/>
    /// goes in as written; <paramref name="sharedStringsPadding"/> bytes of whitespace in the shared strings make them expand
    /// as far as a zip bomb's (spaces compress ~1,000:1).
    /// </summary>
    internal static byte[] Package(IReadOnlyList<(string Name, string SheetData)> sheets, string? sharedStrings = null, string? styles = null,
        string workbookPr = "", bool absoluteTargets = false, long sharedStringsPadding = 0)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Part(string name, string xml)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(xml);
            }
            Part("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>""");
            Part("_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
            var rels = new StringBuilder();
            var list = new StringBuilder();
            for (var i = 0; i < sheets.Count; i++)
            {
                var target = absoluteTargets ? $"/xl/worksheets/sheet{i + 1}.xml" : $"worksheets/sheet{i + 1}.xml";
                rels.Append($"""<Relationship Id="rIdS{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/>""");
                list.Append($"""<sheet name="{System.Security.SecurityElement.Escape(sheets[i].Name)}" sheetId="{i + 1}" r:id="rIdS{i}"/>""");
                Part($"xl/worksheets/sheet{i + 1}.xml", $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{Main}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>{sheets[i].SheetData}</sheetData><mergeCells count="0"/></worksheet>""");
            }
            if (sharedStrings is not null)
            {
                rels.Append("""<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>""");
                using var writer = new StreamWriter(zip.CreateEntry("xl/sharedStrings.xml", CompressionLevel.SmallestSize).Open(), new UTF8Encoding(false));
                writer.Write($"""<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{Main}">""");
                var spaces = new string(' ', 64 * 1024);
                for (var padded = 0L; padded < sharedStringsPadding; padded += spaces.Length) writer.Write(spaces);
                writer.Write($"{sharedStrings}</sst>");
            }
            if (styles is not null)
            {
                rels.Append("""<Relationship Id="rIdSt" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>""");
                Part("xl/styles.xml", $"""<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{Main}">{styles}</styleSheet>""");
            }
            Part("xl/_rels/workbook.xml.rels", $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>""");
            Part("xl/workbook.xml", $"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{Main}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{workbookPr}<sheets>{list}</sheets></workbook>""");
        }
        return output.ToArray();
    }

    private static List<(int Number, object?[] Cells)> Rows(byte[] package, int sheet = 0, XlsxLimits? limits = null, int[]? columnsRead = null)
    {
        using var workbook = XlsxWorkbook.Open(new MemoryStream(package), limits);
        using var reader = workbook.OpenSheet(sheet);
        if (columnsRead is not null) reader.ReadOnlyColumns(columnsRead);
        var rows = new List<(int, object?[])>();
        while (reader.Read(out var cells)) rows.Add((reader.RowNumber, cells));
        return rows;
    }

    private static object?[] OnlyRow(byte[] package) => Assert.Single(Rows(package)).Cells;

    /// <summary>A DingTalk export's rows as the import reads them, on 2026-03-10.</summary>
    private static async Task<List<ParsedRow>> ExportRowsAsync(byte[] file)
    {
        var rows = new List<ParsedRow>();
        await foreach (var row in DingTalkExports.ReadAsync(new MemoryStream(file), Encoding.UTF8,
            new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), _ => { }, CancellationToken.None))
            rows.Add(row);
        return rows;
    }

    /// <summary>A cell holding <paramref name="text"/> as an inline string.</summary>
    private static string InlineText(string column, string text) => $"""<c r="{column}" t="inlineStr"><is><t>{text}</t></is></c>""";

    [Fact]
    public void Shared_strings_are_read_with_rich_text_runs_joined_and_phonetic_runs_left_out()
    {
        var sst = """
            <si><t>打卡时间</t></si>
            <si><r><rPr><b/><sz val="11"/></rPr><t>张</t></r><r><t xml:space="preserve"> 三</t></r><rPh sb="0" eb="1"><t>ちょう</t></rPh><phoneticPr fontId="1"/></si>
            <si><t/></si>
            <si><t>second &amp; &lt;third&gt; &#x4E2D;</t></si>
            """;
        var cells = OnlyRow(Package([("S", """<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>""")], sst));
        Assert.Equal(["打卡时间", "张 三", "", "second & <third> 中"], cells);
    }

    [Fact]
    public void Inline_strings_formula_results_booleans_errors_and_iso_dates_are_typed_as_their_cells_say()
    {
        var row = """
            <row r="1">
              <c r="A1" t="inlineStr"><is><t>inline</t></is></c>
              <c r="B1" t="inlineStr"><is><r><t>rich</t></r><r><rPr><i/></rPr><t> inline</t></r></is></c>
              <c r="C1" t="str"><f>CONCAT("0","123")</f><v>0123</v></c>
              <c r="D1" t="b"><v>1</v></c>
              <c r="E1" t="b"><v>0</v></c>
              <c r="F1" t="e"><f>1/0</f><v>#DIV/0!</v></c>
              <c r="G1" t="d"><v>2026-03-02T09:01:00</v></c>
              <c r="H1"><f>1+1</f><v>2</v></c>
              <c r="I1"><f>NOW()</f></c>
            </row>
            """;
        Assert.Equal(["inline", "rich inline", "0123", true, false, null, new DateTime(2026, 3, 2, 9, 1, 0), 2d, null], OnlyRow(Package([("S", row)])));
    }

    [Fact]
    public void Numbers_are_read_in_the_invariant_culture_whatever_the_thread_culture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE"); // decimal comma
        try
        {
            var row = """<row r="1"><c r="A1"><v>1.5</v></c><c r="B1"><v>-0.25</v></c><c r="C1"><v>1E-3</v></c><c r="D1"><v>1.2345678901234568E+22</v></c><c r="E1" t="n"><v>42</v></c></row>""";
            Assert.Equal([1.5, -0.25, 0.001, 1.2345678901234568E+22, 42d], OnlyRow(Package([("S", row)])));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    // The styles of the date tests: cellXfs index → numFmtId; custom formats 164+ as a Chinese-locale Excel writes them.
    private const string DateStyles = """
        <numFmts count="7">
          <numFmt numFmtId="164" formatCode="yyyy\-mm\-dd\ hh:mm"/>
          <numFmt numFmtId="165" formatCode="0.00&quot;h&quot;"/>
          <numFmt numFmtId="166" formatCode="[Red]0.00;[Blue]\-0.00"/>
          <numFmt numFmtId="167" formatCode="[h]:mm"/>
          <numFmt numFmtId="168" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>
          <numFmt numFmtId="169" formatCode="#,##0.00_);[Red]\(#,##0.00\)"/>
          <numFmt numFmtId="170" formatCode="0\s"/>
        </numFmts>
        <cellStyleXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellStyleXfs>
        <cellXfs count="14">
          <xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="22"/><xf numFmtId="20"/><xf numFmtId="47"/><xf numFmtId="31"/>
          <xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="168"/><xf numFmtId="169"/>
          <xf numFmtId="170"/><xf numFmtId="49"/>
        </cellXfs>
        """;

    [Fact]
    public void Numbers_in_date_and_time_formats_are_dates_and_other_formats_leave_numbers_alone()
    {
        var dateTime = new DateTime(2026, 3, 2, 9, 1, 0).ToOADate(); // 46083.3756944…
        string C(string column, int style, double value) => $"""<c r="{column}1" s="{style}"><v>{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}</v></c>""";
        var row = "<row r=\"1\">" + string.Concat(
            C("A", 0, dateTime), C("B", 1, 46083), C("C", 2, dateTime), C("D", 3, 0.375), C("E", 4, 0.5), C("F", 5, 46083),
            C("G", 6, dateTime), C("H", 7, 7.5), C("I", 8, 3), C("J", 9, 1.25), C("K", 10, 46083), C("L", 11, 46083),
            C("M", 12, 5), C("N", 13, 46083), C("O", 99, 46083)) + "</row>";
        var cells = OnlyRow(Package([("S", row)], styles: DateStyles));
        Assert.Equal(dateTime, cells[0]);                                // General: a number
        Assert.Equal(new DateTime(2026, 3, 2), cells[1]);                // 14: a date
        Assert.Equal(new DateTime(2026, 3, 2, 9, 1, 0), cells[2]);       // 22: date and time
        Assert.Equal(new DateTime(1899, 12, 30, 9, 0, 0), cells[3]);     // 20 (h:mm): a time of day on day 0
        Assert.Equal(new DateTime(1899, 12, 30, 12, 0, 0), cells[4]);    // 47 (mm:ss.0)
        Assert.Equal(new DateTime(2026, 3, 2), cells[5]);                // 31: yyyy"年"m"月"d"日" by id (zh-CN)
        Assert.Equal(new DateTime(2026, 3, 2, 9, 1, 0), cells[6]);       // yyyy-mm-dd hh:mm with escapes
        Assert.Equal(7.5, cells[7]);                                     // 0.00"h": the h is quoted text
        Assert.Equal(3d, cells[8]);                                      // [Red]0.00: a colour, not a date
        Assert.Equal(new DateTime(1899, 12, 31, 6, 0, 0), cells[9]);     // [h]:mm: elapsed time is a time
        Assert.Equal(new DateTime(2026, 3, 2), cells[10]);               // [$-804]yyyy"年"…
        Assert.Equal(46083d, cells[11]);                                 // an accounting format with _) and [Red]
        Assert.Equal(5d, cells[12]);                                     // 0\s: the s is escaped
        Assert.Equal(46083d, cells[13]);                                 // 49 (@, text)
        Assert.Equal(46083d, cells[14]);                                 // a style the workbook does not have
    }

    [Theory]
    [InlineData("yyyy/m/d", true)]
    [InlineData("m/d/yy h:mm", true)]
    [InlineData("h:mm:ss AM/PM", true)]
    [InlineData("[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", true)]
    [InlineData("[DBNum1][$-804]yyyy\"年\"m\"月\"d\"日\"", true)]
    [InlineData("[mm]:ss", true)]
    [InlineData("General", false)]
    [InlineData("0.00E+00", false)]
    [InlineData("\"Day\" 0", false)]
    [InlineData("[Red][<=100]0;[Blue][>100]0", false)]
    [InlineData("_(* #,##0_);_(* \\(#,##0\\);_(* \"-\"_);_(@_)", false)]
    [InlineData("0;\"days\" yyyy", false)]
    [InlineData("@", false)]
    public void A_custom_format_is_a_date_format_when_its_first_section_has_date_tokens_outside_text(string format, bool isDate) =>
        Assert.Equal(isDate, XlsxWorkbook.IsDateFormat(format));

    [Fact]
    public void The_1904_date_system_moves_dates_by_1462_days_but_not_times_of_day()
    {
        var styles = """<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="22"/><xf numFmtId="21"/></cellXfs>""";
        // 2026-03-02 09:01 is serial 46083.376 in the 1900 system, 44621.376 in the 1904 one.
        var row = """<row r="1"><c r="A1" s="1"><v>44621.37569444444</v></c><c r="B1" s="2"><v>0.5</v></c><c r="C1"><v>44621</v></c></row>""";
        var cells = OnlyRow(Package([("S", row)], styles: styles, workbookPr: """<workbookPr date1904="1"/>"""));
        Assert.Equal(new DateTime(2026, 3, 2, 9, 1, 0), ((DateTime)cells[0]!).AddMilliseconds(-((DateTime)cells[0]!).Millisecond));
        Assert.Equal(new DateTime(1899, 12, 30, 12, 0, 0), cells[1]);
        Assert.Equal(44621d, cells[2]); // not a date format: the number as stored
        using var workbook = XlsxWorkbook.Open(new MemoryStream(Package([("S", row)], styles: styles, workbookPr: """<workbookPr date1904="true"/>""")));
        Assert.True(workbook.Date1904);
    }

    [Fact]
    public void Only_the_columns_asked_for_are_read_the_others_come_back_empty_unread()
    {
        var sst = "<si><t>a</t></si><si><t>b</t></si>";
        // Row 2's B cell refers to a shared string that does not exist: not read, so not an error.
        var data = """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1"><v>3</v></c><c r="D1" t="s"><v>1</v></c></row>
            <row r="2"><c t="s"><v>1</v></c><c t="s"><v>99</v></c><c><f>1+1</f><v>2</v></c></row>
            """;
        var rows = Rows(Package([("S", data)], sst), columnsRead: [0, 2]);
        Assert.Equal(["a", null, 3d, null], rows[0].Cells);
        Assert.Equal(["b", null, 2d], rows[1].Cells);
        Assert.Contains("shared string 99", Assert.Throws<XlsxFormatException>(() => Rows(Package([("S", data)], sst))).Message);
    }

    [Fact]
    public void Sparse_rows_and_cells_land_in_their_rows_and_columns_by_reference_or_by_order()
    {
        var sst = "<si><t>a</t></si><si><t>b</t></si>";
        var data = """
            <row r="2" spans="1:3"><c r="C2" t="s"><v>0</v></c></row>
            <row><c t="s"><v>1</v></c><c/><c><v>3</v></c></row>
            <row r="7"/>
            <row r="9"><c r="B9"><v>1</v></c><c><v>2</v></c><c r="AA9" t="s"><v>0</v></c></row>
            <row><c r="b10"><v>4</v></c></row>
            """;
        var rows = Rows(Package([("S", data)], sst));
        Assert.Equal([2, 3, 7, 9, 10], rows.Select(r => r.Number));
        Assert.Equal([null, null, "a"], rows[0].Cells);
        Assert.Equal(["b", null, 3d], rows[1].Cells);
        Assert.Empty(rows[2].Cells);
        Assert.Equal(27, rows[3].Cells.Length);
        Assert.Equal((null, 1d, 2d, "a"), (rows[3].Cells[0], rows[3].Cells[1], rows[3].Cells[2], rows[3].Cells[26]));
        Assert.Equal([null, 4d], rows[4].Cells);
    }

    [Fact]
    public void Escapes_whitespace_and_long_ids_come_through_as_text_exactly()
    {
        var longText = string.Concat(Enumerable.Repeat("上海市浦东新区张江路100号 ", 3000)); // 51,000 characters
        var sst = $"""
            <si><t xml:space="preserve">  0123  </t></si>
            <si><t>00012345678901234567890123</t></si>
            <si><t>line_x000D__x000A_next</t></si>
            <si><t>_x005F_x0041_ stays and _x0041_ is A and _xZZZZ_ is not an escape</t></si>
            <si><t>{longText}</t></si>
            <si><t xml:space="preserve"> </t></si>
            """;
        var row = """
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>
            <c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c><c r="G1" t="inlineStr"><is><t xml:space="preserve">	E007 </t></is></c>
            <c r="H1" t="str"><v>a_x0009_b</v></c><c r="I1" t="inlineStr"><is><t>0&#10;1</t></is></c></row>
            """;
        var cells = OnlyRow(Package([("S", row)], sst));
        Assert.Equal("  0123  ", cells[0]);
        Assert.Equal("00012345678901234567890123", cells[1]);
        Assert.Equal("line\r\nnext", cells[2]);
        Assert.Equal("_x0041_ stays and A is A and _xZZZZ_ is not an escape", cells[3]);
        Assert.Equal(longText, cells[4]);
        Assert.Equal(" ", cells[5]);
        Assert.Equal("\tE007 ", cells[6]);
        Assert.Equal("a\tb", cells[7]);
        Assert.Equal("0\n1", cells[8]);
    }

    [Fact]
    public void Sheets_are_found_by_name_through_the_workbook_relationships_with_absolute_targets()
    {
        var package = Package([("月度汇总", """<row r="1"><c r="A1"><v>1</v></c></row>"""), ("原始记录", """<row r="1"><c r="A1"><v>2</v></c></row>""")],
            absoluteTargets: true);
        using var workbook = XlsxWorkbook.Open(new MemoryStream(package));
        Assert.Equal(["月度汇总", "原始记录"], workbook.SheetNames);
        Assert.Equal(2d, Assert.Single(Rows(package, sheet: 1)).Cells[0]);
    }

    [Fact]
    public void A_broken_package_or_sheet_is_a_format_error_naming_where()
    {
        Assert.Throws<XlsxFormatException>(() => XlsxWorkbook.Open(new MemoryStream([.. "PK"u8, 3, 4, .. new byte[200]])));
        var badIndex = Package([("S", """<row r="1"><c r="A1" t="s"><v>5</v></c></row>""")], "<si><t>only</t></si>");
        Assert.Contains("cell A1 refers to shared string 5", Assert.Throws<XlsxFormatException>(() => Rows(badIndex)).Message);
        var badXml = Package([("S", """<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</c></row>""")]);
        Assert.Contains("after row 1", Assert.Throws<XlsxFormatException>(() => Rows(badXml)).Message);
        var outside = Package([("S", """<row r="1"><c r="XFE1"><v>1</v></c></row>""")]);
        Assert.Contains("outside columns A–XFD", Assert.Throws<XlsxFormatException>(() => Rows(outside)).Message);
    }

    [Fact]
    public void Rows_out_of_order_or_past_Excels_last_row_are_a_format_error()
    {
        // A row's number is the import's line (× 8 for 每日统计): a repeated or falling number would give two rows one
        // line, and a number past 1,048,576 (Excel's last row) overflows the line.
        Assert.Contains("row 3 after row 5", Assert.Throws<XlsxFormatException>(() => Rows(Package([("S", """<row r="5"/><row r="3"/>""")]))).Message);
        Assert.Contains("row 5 after row 5", Assert.Throws<XlsxFormatException>(() => Rows(Package([("S", """<row r="4"/><row/><row r="5"/>""")]))).Message);
        Assert.Throws<XlsxFormatException>(() => Rows(Package([("S", """<row r="1048577"/>""")])));
        Assert.Throws<XlsxFormatException>(() => Rows(Package([("S", """<row r="1048576"/><row/>""")])));
        Assert.Equal([1, 1048576], Rows(Package([("S", """<row r="1"/><row r="1048576"/>""")])).Select(r => r.Number));
    }

    [Fact]
    public void A_cell_without_a_reference_past_column_XFD_is_a_format_error()
    {
        var full = string.Concat(Enumerable.Repeat("<c/>", 16384));
        Assert.Equal(16384, OnlyRow(Package([("S", $"<row r=\"1\">{full}</row>")])).Length);
        Assert.Contains("outside columns A–XFD", Assert.Throws<XlsxFormatException>(() => Rows(Package([("S", $"<row r=\"1\">{full}<c><v>1</v></c></row>")]))).Message);
        Assert.Contains("outside columns A–XFD", Assert.Throws<XlsxFormatException>(() => Rows(Package([("S", """<row r="1"><c r="XFD1"/><c/></row>""")]))).Message);
    }

    [Fact]
    public void A_row_that_expands_past_the_row_limit_is_refused_while_it_is_read()
    {
        // One inline string of 1 MiB (a sheet part may expand to 1 GiB: one cell must not be read whole into memory).
        var huge = new string('x', 1 << 20);
        var package = Package([("S", $"""<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>{huge}</t></is></c></row><row r="3"><c r="A3"><v>3</v></c></row>""")]);
        var limits = new XlsxLimits(MaxSharedStringsBytes: 1 << 20, MaxPartBytes: 1 << 30, MaxTotalBytes: 1 << 30, MaxRowBytes: 256 * 1024);
        using var workbook = XlsxWorkbook.Open(new MemoryStream(package), limits);
        using var sheet = workbook.OpenSheet(0);
        Assert.True(sheet.Read(out var first));
        Assert.Equal([1d], first);
        Assert.Contains("row", Assert.Throws<XlsxLimitException>(() => sheet.Read(out _)).Message);
        // The same row under the default limit reads.
        Assert.Equal(huge, Rows(package)[1].Cells[0]);
    }

    [Fact]
    public void Iso_dates_are_read_exactly_a_time_alone_on_day_0_and_a_zoned_one_left_as_text()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("en-GB");
        try
        {
            var row = """
                <row r="1">
                  <c r="A1" t="d"><v>2026-03-02</v></c>
                  <c r="B1" t="d"><v>2026-03-02T09:01</v></c>
                  <c r="C1" t="d"><v>2026-03-02T09:01:30.5</v></c>
                  <c r="D1" t="d"><v>09:01:00</v></c>
                  <c r="E1" t="d"><v>2026-03-02T09:01:00Z</v></c>
                  <c r="F1" t="d"><v>2026-03-02T09:01:00+08:00</v></c>
                  <c r="G1" t="d"><v>03/02/2026</v></c>
                </row>
                """;
            Assert.Equal([new DateTime(2026, 3, 2), new DateTime(2026, 3, 2, 9, 1, 0), new DateTime(2026, 3, 2, 9, 1, 30, 500),
                new DateTime(1899, 12, 30, 9, 1, 0), "2026-03-02T09:01:00Z", "2026-03-02T09:01:00+08:00", "03/02/2026"], OnlyRow(Package([("S", row)])));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Number_formats_of_differential_formats_do_not_replace_the_cell_formats()
    {
        // dxfs (conditional formatting) carry numFmt elements of their own; only numFmts defines the cells' formats.
        var styles = """
            <numFmts count="1"><numFmt numFmtId="164" formatCode="0.00"/></numFmts>
            <cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>
            <dxfs count="1"><dxf><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></dxf></dxfs>
            """;
        Assert.Equal([46083d], OnlyRow(Package([("S", """<row r="1"><c r="A1" s="1"><v>46083</v></c></row>""")], styles: styles)));
    }

    [Fact]
    public void A_package_whose_central_directory_is_broken_is_a_format_error()
    {
        var package = Package([("S", """<row r="1"><c r="A1"><v>1</v></c></row>""")]);
        for (var i = 0; i + 4 < package.Length; i++)
            if (BitConverter.ToUInt32(package, i) == 0x02014b50) package[i] = 0; // each central directory entry's signature
        Assert.Throws<XlsxFormatException>(() => XlsxWorkbook.Open(new MemoryStream(package)));
    }

    [Fact]
    public void A_DTD_is_refused_in_any_part()
    {
        const string Dtd = """<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>""";
        var inStrings = Package([("S", """<row r="1"><c r="A1" t="s"><v>0</v></c></row>""")], sharedStrings: "<si><t>x</t></si>");
        var withDtd = ReplaceInPart(inStrings, "xl/sharedStrings.xml", "<sst ", Dtd + "<sst ");
        Assert.Contains("DTD", Assert.Throws<XlsxFormatException>(() => XlsxWorkbook.Open(new MemoryStream(withDtd))).Message);
        var sheet = ReplaceInPart(Package([("S", """<row r="1"><c r="A1"><v>1</v></c></row>""")]), "xl/worksheets/sheet1.xml", "<worksheet ", Dtd.Replace("sst", "worksheet") + "<worksheet ");
        Assert.Contains("DTD", Assert.Throws<XlsxFormatException>(() => Rows(sheet)).Message);
    }

    private static byte[] ReplaceInPart(byte[] package, string part, string find, string replacement)
    {
        var output = new MemoryStream();
        output.Write(package);
        using (var zip = new ZipArchive(output, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.GetEntry(part)!;
            string xml;
            using (var reader = new StreamReader(entry.Open())) xml = reader.ReadToEnd();
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(part).Open(), new UTF8Encoding(false));
            writer.Write(xml.Replace(find, replacement));
        }
        return output.ToArray();
    }

    [Fact]
    public void A_cell_without_a_style_has_style_0()
    {
        // ECMA-376 18.3.1.4: s defaults to 0, the first cellXfs entry — here a date format.
        var styles = """<cellXfs count="2"><xf numFmtId="14"/><xf numFmtId="0"/></cellXfs>""";
        var row = """<row r="1"><c r="A1"><v>46083</v></c><c r="B1" s="0"><v>46083</v></c><c r="C1" s="1"><v>46083</v></c></row>""";
        Assert.Equal([new DateTime(2026, 3, 2), new DateTime(2026, 3, 2), 46083d], OnlyRow(Package([("S", row)], styles: styles)));
    }

    [Fact]
    public void A_part_that_expands_beyond_the_limits_is_refused_before_any_row_by_its_declared_size()
    {
        var rows = string.Concat(Enumerable.Range(1, 2000).Select(i => $"""<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>"""));
        var package = Package([("S", rows)], "<si><t>x</t></si>");
        var sheetLimit = new XlsxLimits(MaxSharedStringsBytes: 1 << 20, MaxPartBytes: 10_000, MaxTotalBytes: 1 << 20);
        Assert.Contains("xl/worksheets/sheet1.xml expands to", Assert.Throws<XlsxLimitException>(() => XlsxWorkbook.Open(new MemoryStream(package), sheetLimit)).Message);
        var stringsLimit = new XlsxLimits(MaxSharedStringsBytes: 50, MaxPartBytes: 1 << 20, MaxTotalBytes: 1 << 20);
        Assert.Contains("xl/sharedStrings.xml", Assert.Throws<XlsxLimitException>(() => XlsxWorkbook.Open(new MemoryStream(package), stringsLimit)).Message);
        var totalLimit = new XlsxLimits(MaxSharedStringsBytes: 1 << 20, MaxPartBytes: 1 << 20, MaxTotalBytes: 10_000);
        Assert.Throws<XlsxLimitException>(() => XlsxWorkbook.Open(new MemoryStream(package), totalLimit));
    }

    [Fact]
    public void A_package_of_more_parts_than_a_workbook_has_is_refused_before_its_directory_is_read()
    {
        // ZipArchive holds an object per entry of the central directory (~4x the file's size for tiny entries): the count
        // in the end record is checked first. 20,001 empty parts beside a readable workbook.
        var package = Package([("S", """<row r="1"><c r="A1"><v>1</v></c></row>""")]);
        using var many = new MemoryStream();
        many.Write(package);
        using (var zip = new ZipArchive(many, ZipArchiveMode.Update, leaveOpen: true))
            for (var i = 0; i < 20_001; i++)
                zip.CreateEntry($"padding/{i}");
        many.Position = 0;

        Assert.Contains("parts", Assert.Throws<XlsxLimitException>(() => XlsxWorkbook.Open(many)).Message);
        using var readable = XlsxWorkbook.Open(new MemoryStream(package));
        Assert.Equal(["S"], readable.SheetNames);
    }

    [Fact]
    public void A_zip64_package_is_read_by_the_count_in_its_zip64_end_record()
    {
        // Some writers always end a package with ZIP64 records: the classic end record then says 0xFFFF entries.
        var package = Package([("S", """<row r="1"><c r="A1"><v>1</v></c></row>""")]);
        using var workbook = XlsxWorkbook.Open(new MemoryStream(AsZip64(package, entries: null)));
        Assert.Equal(["S"], workbook.SheetNames);
        // The same package whose ZIP64 record counts more parts than a workbook may have.
        Assert.Throws<XlsxLimitException>(() => XlsxWorkbook.Open(new MemoryStream(AsZip64(package, entries: 20_001))));
    }

    /// <summary>
    /// The package with a ZIP64 end record and locator before a classic end record of 0xFFFF / 0xFFFFFFFF placeholders;
    /// the ZIP64 record counts <paramref name="entries"/> (default: the real count).
    /// </summary>
    private static byte[] AsZip64(byte[] package, long? entries)
    {
        var end = package.Length - 22; // written without a comment
        Assert.Equal(0x06054b50u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(package.AsSpan(end)));
        var count = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(package.AsSpan(end + 10));
        var directorySize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(package.AsSpan(end + 12));
        var directoryOffset = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(package.AsSpan(end + 16));
        using var zip64 = new MemoryStream();
        using var w = new BinaryWriter(zip64);
        w.Write(package, 0, end);
        var recordOffset = zip64.Position;
        w.Write(0x06064b50u); w.Write(44L); w.Write((ushort)45); w.Write((ushort)45); w.Write(0u); w.Write(0u);
        w.Write(entries ?? count); w.Write(entries ?? count); w.Write((long)directorySize); w.Write((long)directoryOffset);
        w.Write(0x07064b50u); w.Write(0u); w.Write(recordOffset); w.Write(1u);
        w.Write(0x06054b50u); w.Write((ushort)0); w.Write((ushort)0); w.Write(ushort.MaxValue); w.Write(ushort.MaxValue);
        w.Write(uint.MaxValue); w.Write(uint.MaxValue); w.Write((ushort)0);
        w.Flush();
        return zip64.ToArray();
    }

    [Fact]
    public void A_part_whose_declared_size_lies_is_read_no_further_than_declared()
    {
        var rows = string.Concat(Enumerable.Range(1, 2000).Select(i => $"""<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>"""));
        var package = LieAboutSize(Package([("S", rows)]), "xl/worksheets/sheet1.xml", declared: 1000);
        var limits = new XlsxLimits(MaxSharedStringsBytes: 1 << 20, MaxPartBytes: 10_000, MaxTotalBytes: 1 << 20);
        using var workbook = XlsxWorkbook.Open(new MemoryStream(package), limits); // the declared 1,000 bytes pass
        using var sheet = workbook.OpenSheet(0);
        var read = 0;
        // The part ends where it said it would: the XML is cut off there (or, were it read on, the limit would stop it).
        var error = Assert.ThrowsAny<Exception>(() => { while (sheet.Read(out _)) read++; });
        Assert.True(error is XlsxFormatException or XlsxLimitException, error.ToString());
        Assert.InRange(read, 1, 100);
    }

    /// <summary>Rewrites a zip's local header and central directory so that <paramref name="entry"/> declares <paramref name="declared"/> bytes uncompressed.</summary>
    private static byte[] LieAboutSize(byte[] zip, string entry, uint declared)
    {
        var name = Encoding.UTF8.GetBytes(entry);
        var bytes = (byte[])zip.Clone();
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            var signature = BitConverter.ToUInt32(bytes, i);
            if (signature == 0x04034b50 && BitConverter.ToUInt16(bytes, i + 26) == name.Length && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
                BitConverter.TryWriteBytes(bytes.AsSpan(i + 22), declared);
            if (signature == 0x02014b50 && BitConverter.ToUInt16(bytes, i + 28) == name.Length && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
                BitConverter.TryWriteBytes(bytes.AsSpan(i + 24), declared);
        }
        return bytes;
    }

    // ------------------------------------------------------------------------------------------------------------------
    // through SpreadsheetSources: the sheet chosen, the header found, every data row given once
    // ------------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_原始记录_sheet_gives_every_row_after_its_header_once_across_the_header_search_window_and_gaps()
    {
        var raw = DingTalkExportFiles.RawSheet([]);
        // Data rows 4–40 with a gap (no rows 20–24) and the first row past the 30-row header window at 41.
        for (var row = 4; row <= 45; row++)
            raw.Add(row is >= 20 and <= 24 ? [] : DingTalkExportFiles.RawRow(DingTalkExportFiles.RawHeader,
                new() { ["UserId"] = $"00{row}", ["打卡时间"] = $"2026-03-02 09:{row:D2}" }));
        var file = DingTalkExportFiles.Workbook(DingTalkExportFiles.MonthlySummary(), ("原始记录", raw, null));
        await using var source = await SpreadsheetSources.OpenWorkbookAsync(new MemoryStream(file), null, CancellationToken.None);
        Assert.Equal(("原始记录", DingTalkExports.RawRecords, 3), (source.SheetName, source.Header.Layout, source.Header.HeaderRow));
        var rows = new List<SheetRow>();
        await foreach (var row in source.DataRowsAsync(CancellationToken.None)) rows.Add(row);
        var expected = Enumerable.Range(4, 42).Where(n => n is < 20 or > 24).ToList();
        Assert.Equal(expected, rows.Select(r => r.Number));
        var userId = source.Header.Column("userid")!.Value;
        Assert.Equal(expected.Select(n => $"00{n}"), rows.Select(r => (string)r.Cells[userId]!));
    }

    [Fact]
    public async Task A_每日统计_sheet_is_chosen_only_when_no_sheet_has_a_原始记录_header_and_its_two_level_header_is_kept()
    {
        var (daily, merges) = DingTalkExportFiles.DailySheet([new("d-1", "D1", new DateTime(2026, 3, 2, 8, 55, 0), "IN")]);
        var file = DingTalkExportFiles.Workbook(("每日统计", daily, merges), DingTalkExportFiles.PunchTimes());
        await using var source = await SpreadsheetSources.OpenWorkbookAsync(new MemoryStream(file), null, CancellationToken.None);
        Assert.Equal(("每日统计", DingTalkExports.DailyStatistics, 3, 4), (source.SheetName, source.Header.Layout, source.Header.HeaderRow, source.Header.LastHeaderRow));
        var rows = new List<SheetRow>();
        await foreach (var row in source.DataRowsAsync(CancellationToken.None)) rows.Add(row);
        Assert.Equal(5, Assert.Single(rows).Number);
    }

    [Fact]
    public async Task A_workbook_past_the_limits_is_refused_as_too_large_and_a_broken_one_as_unreadable()
    {
        var file = DingTalkExportFiles.Workbook(("原始记录", DingTalkExportFiles.RawSheet([new("u", null, new DateTime(2026, 3, 2, 9, 0, 0), "IN")]), null));
        var tooLarge = await Assert.ThrowsAsync<ImportException>(() => SpreadsheetSources.OpenWorkbookAsync(new MemoryStream(file), null,
            CancellationToken.None, new XlsxLimits(MaxSharedStringsBytes: 100, MaxPartBytes: 1 << 20, MaxTotalBytes: 1 << 20)));
        Assert.Equal(ImportErrors.FileTooLarge, tooLarge.Code);
        var broken = await Assert.ThrowsAsync<ImportException>(() => SpreadsheetSources.OpenWorkbookAsync(
            new MemoryStream([.. "PK"u8, 3, 4, .. new byte[100]]), null, CancellationToken.None));
        Assert.Equal(ImportErrors.FileUnreadable, broken.Code);
    }

    [Fact]
    public async Task A_number_in_a_time_column_that_is_no_time_is_a_bad_time_not_a_failed_parse()
    {
        // A re-save can leave any number in 打卡时间: past the last date Excel has (a serial of 1E+300), or a day fraction
        // that rounds to 24:00. Each is the row's IMPORT_ROW_BAD_TIME; it must not throw out of the parse (the worker
        // then retries the batch for ever).
        static Dictionary<string, object?> Punch(string user, object time) => new() { ["UserId"] = user, ["考勤日期"] = "26-03-02 星期一", ["打卡时间"] = time };
        var raw = DingTalkExportFiles.RawSheet([], extra: [Punch("u1", 1e300), Punch("u2", 0.9999999), Punch("u3", 0.375)]);
        var file = DingTalkExportFiles.Workbook(("原始记录", raw, null));
        var rows = await ExportRowsAsync(file);
        Assert.Equal([ImportErrors.RowCodes.BadTime, ImportErrors.RowCodes.BadTime, null], rows.Select(r => r.ErrorCode));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8)), rows[2].PunchTime);
    }

    [Fact]
    public async Task A_date_at_the_ends_of_the_calendar_is_a_bad_time_not_a_failed_parse()
    {
        // 0001-01-01 00:30 in Shanghai is in year 0 in UTC; 次日 of 9999-12-31 is no date: each is the row's problem.
        var sheet = $"""
            <row r="1">{InlineText("A1", "UserId")}{InlineText("B1", "日期")}{InlineText("C1", "上班1打卡时间")}{InlineText("D1", "下班1打卡时间")}</row>
            <row r="2">{InlineText("A2", "u1")}{InlineText("B2", "0001-01-01")}{InlineText("C2", "00:30")}</row>
            <row r="3">{InlineText("A3", "u2")}{InlineText("B3", "9999-12-31")}{InlineText("D3", "次日 01:30")}</row>
            <row r="4">{InlineText("A4", "u3")}{InlineText("B4", "2026-03-02")}{InlineText("C4", "09:00")}{InlineText("D4", "次日 01:30")}</row>
            """;
        var rows = await ExportRowsAsync(Package([("每日统计", sheet)]));
        Assert.Equal([ImportErrors.RowCodes.BadTime, ImportErrors.RowCodes.BadTime, null, null], rows.Select(r => r.ErrorCode));
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 1, 30, 0, TimeSpan.FromHours(8)), rows[3].PunchTime);
    }

    [Fact]
    public async Task A_result_quoted_in_a_row_detail_carries_no_control_characters_or_lone_surrogates()
    {
        // _x0000_ and _xD800_ decode to a NUL and half a surrogate pair: Postgres refuses the one in text, UTF-8 the other,
        // so the detail (stored as it is, unlike the cells' own text) must not carry them.
        var sheet = $"""
            <row r="1">{InlineText("A1", "UserId")}{InlineText("B1", "日期")}{InlineText("C1", "上班1打卡时间")}{InlineText("D1", "上班1打卡结果")}</row>
            <row r="2">{InlineText("A2", "u1")}{InlineText("B2", "2026-03-02")}{InlineText("D2", "缺_x0000_卡_xD800_")}</row>
            """;
        var rows = await ExportRowsAsync(Package([("每日统计", sheet)]));
        var detail = Assert.Single(rows).ErrorDetail!;
        Assert.Contains("缺", detail);
        Assert.DoesNotContain(detail, c => char.IsControl(c) || char.IsSurrogate(c));
    }

    /// <summary>The test workbook writer's own output, as the import and the benchmarks use it, reads back cell for cell.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_test_workbook_writer_output_reads_back_cell_for_cell(bool inlineStrings)
    {
        using var output = new MemoryStream();
        using (var writer = new XlsxWorkbookWriter(output, inlineStrings))
        {
            writer.StartSheet("原始记录");
            writer.Row(1, "标题");
            writer.Row(3, "UserId", null, 12.5, "<&>", 7L);
        }
        var rows = Rows(output.ToArray());
        Assert.Equal([1, 3], rows.Select(r => r.Number));
        Assert.Equal(["UserId", null, 12.5, "<&>", 7d], rows[1].Cells);
    }
}
