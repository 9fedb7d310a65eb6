namespace HrmsAttendance.Messaging;

/// <summary>
/// Wakes whoever waits on <see cref="Next"/> inside this process: a loop that polls can wake at once when this process
/// made the change it polls for, and keep the poll for changes other replicas made.
/// </summary>
public abstract class WakeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Notify"/>. Take it before looking, so a change made meanwhile is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
