namespace HrmsAttendance.Messaging.Outbox;

/// <summary>
/// The bulk writes under way in this process (an import's commit). While one runs, this process's outbox relay holds
/// back its passes — for at most <see cref="OutboxRelayOptions.MaxYieldToBulkWrites"/> in a row — and catches up after:
/// on a small machine the relay's publishing (and the broker's and consumers' work it causes) otherwise takes half of
/// the CPU the bulk write waits for, and the notifications leave no later in total (bench/Import.Benchmarks/README.md).
/// </summary>
public sealed class OutboxBulkWrites(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private int _running;
    private DateTimeOffset _since;
    private TaskCompletionSource _none = new(); // the current run's; replaced when a run begins, completed when it ends

    /// <summary>Marks a bulk write as running until the returned handle is disposed.</summary>
    public IDisposable Begin()
    {
        lock (_gate)
        {
            if (_running++ == 0)
            {
                _since = clock.GetUtcNow();
                _none = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        return new Handle(this);
    }

    /// <summary>
    /// Completes when no bulk write runs, or when they have run without a break for <paramref name="atMost"/>
    /// (then the relay goes on beside them).
    /// </summary>
    public async Task NoneRunningAsync(TimeSpan atMost, CancellationToken ct)
    {
        Task none;
        TimeSpan left;
        lock (_gate)
        {
            if (_running == 0) return;
            none = _none.Task;
            left = _since + atMost - clock.GetUtcNow();
        }
        if (left <= TimeSpan.Zero) return;
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Task.WhenAny(none, Task.Delay(left, clock, waiting.Token));
        waiting.Cancel(); // the delay's timer, when the bulk writes ended first
        ct.ThrowIfCancellationRequested();
    }

    private void End()
    {
        lock (_gate)
        {
            if (--_running == 0)
                _none.TrySetResult();
        }
    }

    private sealed class Handle(OutboxBulkWrites owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.End();
        }
    }
}
