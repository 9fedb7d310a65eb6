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

    /// <summary>A block's rows staged, and those of them staged invalid (a row error or no such person).</summary>
    public void Staged(int blockRows, int blockInvalid)
    {
        Interlocked.Add(ref rows, blockRows);
        Interlocked.Add(ref invalid, blockInvalid);
    }

    public int Rows => Volatile.Read(ref rows);

    public int Invalid => Volatile.Read(ref invalid);
}
