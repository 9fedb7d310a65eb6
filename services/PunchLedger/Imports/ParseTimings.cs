using System.Diagnostics;
using System.Text.Json.Nodes;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>
/// Where a parse's time goes, for its PARSED audit entry and log (<c>steps_ms</c>): the steps that run interleaved row
/// by row (reading the sheet, converting cells, staging) are summed here, in <see cref="Stopwatch"/> ticks.
/// </summary>
public sealed class ParseTimings
{
    /// <summary>The stored upload copied to the temporary file an .xlsx is read from.</summary>
    public long CopyTicks;

    /// <summary>The workbook opened and its sheets' first rows read to detect the layout (or a CSV's header found).</summary>
    public long OpenTicks;

    /// <summary>The sheet's rows read by the reader (XlsxWorkbook's row reader or the CSV parser), cells taken out.</summary>
    public long ReadTicks;

    /// <summary>Rows turned into punches or row outcomes (cells, times, ids, codes).</summary>
    public long ConvertTicks;

    /// <summary>The reader waiting to hand a block over, both stagers still busy with the blocks before it.</summary>
    public long StagerWaitTicks;

    /// <summary>
    /// The blocks' staging (<c>staffing.stage_import_block</c>: persons resolved), on the stagers' connections while the
    /// next blocks are read: time of its own, not a part of the reading's, summed over the stagers (added to at once).
    /// </summary>
    public long StagedTicks;

    public static long Ms(long ticks) => ticks * 1000 / Stopwatch.Frequency;

    public void AddTo(JsonObject steps)
    {
        if (CopyTicks > 0) steps["upload copied to a temporary file"] = Ms(CopyTicks);
        steps["opened, layout detected"] = Ms(OpenTicks);
        steps["rows read"] = Ms(ReadTicks);
        steps["rows converted"] = Ms(ConvertTicks);
        AddStagingTo(steps);
    }

    /// <summary>The steps every format has (a CSV file's reading is not split further).</summary>
    public void AddStagingTo(JsonObject steps)
    {
        steps["stager waited for"] = Ms(StagerWaitTicks);
        steps["blocks staged (persons)"] = Ms(StagedTicks);
    }
}
