namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>Bound from the configuration section <c>Imports</c>.</summary>
public sealed class ImportOptions
{
    public const string SectionName = "Imports";

    /// <summary>The largest file <c>prepare</c> takes (IMPORT_FILE_TOO_LARGE beyond it). 100,000 rows of our format are ~6 MB.</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long a commit token stays usable after prepare.</summary>
    public TimeSpan CommitTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Lines per commit chunk: the valid rows among them go to one call of the batch door (which takes at most 1,000).</summary>
    public int CommitChunkRows { get; set; } = 1000;

    /// <summary>
    /// Parts of a commit that run at once, each on its own connection (a Postgres backend each): the rows are split by
    /// person, so the parts never wait for each other's person locks. Fixed per batch when its commit starts.
    /// </summary>
    public int CommitParts { get; set; } = 2;

    /// <summary>How long the background worker holds a batch before another worker (or a restarted service) may take it over.</summary>
    public TimeSpan WorkerLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the idle worker looks for batches it was not told about (after a restart, another instance's).</summary>
    public TimeSpan WorkerPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
