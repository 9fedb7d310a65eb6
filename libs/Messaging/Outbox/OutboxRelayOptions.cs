namespace HrmsAttendance.Messaging.Outbox;

/// <summary>How a service's outbox relay runs; bound from the <c>Outbox</c> configuration section.</summary>
public sealed class OutboxRelayOptions
{
    public const string SectionName = "Outbox";

    /// <summary>The schema whose outbox functions the relay calls (<c>&lt;schema&gt;.claim_outbox_messages</c>, …).</summary>
    public string Schema { get; set; } = "";

    /// <summary>The service that owns the outbox; part of every message id, so two services' ids never meet.</summary>
    public string Source { get; set; } = "";

    /// <summary>
    /// Messages claimed per pass: rows are claimed in order until they hold at least this many (a row is never split, and
    /// a batch submit's row holds all of its messages, so a pass may exceed it by one row). It bounds the relay's memory.
    /// </summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// The most messages of one pass that are published and awaiting the broker's confirm at once; the pass sends the
    /// next as confirms come back. Publishing a whole pass together (a batch door call's row holds up to 1,000 punches
    /// and their days) kept every message's publish state alive until its confirm, long enough for the GC to promote it:
    /// punch-ledger's memory grew during imports (bench/Import.Benchmarks/README.md, 2026-12-05).
    /// </summary>
    public int MaxUnconfirmedPerPass { get; set; } = 256;

    /// <summary>
    /// Passes that may run at once while there is a backlog (each claims other rows: <c>SKIP LOCKED</c>), so the waits of
    /// one pass (its claim, the broker's confirms, its commit) overlap the work of another. One pass runs when idle.
    /// </summary>
    public int ConcurrentPasses { get; set; } = 3;

    /// <summary>
    /// The longest the relay holds back its passes, in a row, while this process runs a bulk write
    /// (<see cref="OutboxBulkWrites"/>, an import's commit); after it the relay goes on beside the bulk write. Zero: never
    /// holds back. Keep it below <see cref="LagDegradedAfter"/>: the backlog's age grows meanwhile.
    /// </summary>
    public TimeSpan MaxYieldToBulkWrites { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait before looking again when the outbox was empty (unless this process's <see cref="OutboxSignal"/> wakes it).</summary>
    public TimeSpan IdleDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// After a wake-up by <see cref="OutboxSignal"/>, the wait for more writes to join the pass: under load, passes of a
    /// few rows each would cost more per message than the writes they publish.
    /// </summary>
    public TimeSpan WakeDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The wait after a failed pass (broker or database unreachable), doubling up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a pass may wait for the broker's confirms before it gives its rows back.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Published rows older than this are pruned.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the backlog (size and oldest unpublished row) is read for metrics and health.</summary>
    public TimeSpan BacklogSampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>/health</c> is Degraded while the oldest unpublished row is older than this.</summary>
    public TimeSpan LagDegradedAfter { get; set; } = TimeSpan.FromSeconds(60);
}
