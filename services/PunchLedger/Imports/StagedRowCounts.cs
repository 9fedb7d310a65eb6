namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>
/// What one parse attempt's stagers staged, added up as their blocks are staged (several stagers at once): the batch's
/// counts when it becomes PARSED, without reading its rows once more (0033). A parse starts by deleting the batch's
/// rows and an earlier attempt's late blocks are refused, so these are all of the batch's rows.
/// </summary>
public sealed class StagedRowCounts
{
    private int rows;
    private int invalid;
    private int lastLine;

    /// <summary>Rows staged, those of them staged invalid (a row error or no such person), and the block's last line.</summary>
    public void Staged(int blockRows, int blockInvalid, int blockLastLine)
    {
        Interlocked.Add(ref rows, blockRows);
        Interlocked.Add(ref invalid, blockInvalid);
        // (blocks are staged in any order: the last line is the greatest any block ended with)
        var seen = Volatile.Read(ref lastLine);
        while (blockLastLine > seen)
        {
            var found = Interlocked.CompareExchange(ref lastLine, blockLastLine, seen);
            if (found == seen) break;
            seen = found;
        }
    }

    public int Rows => Volatile.Read(ref rows);

    public int Invalid => Volatile.Read(ref invalid);

    /// <summary>The greatest line staged; 0 when none was.</summary>
    public int LastLine => Volatile.Read(ref lastLine);
}
