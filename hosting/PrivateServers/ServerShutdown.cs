using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.PrivateServers;

/// <summary>
/// A server's dispose: runs its stop-and-clean-up once, however often and concurrently it is called, and tells an
/// exit of the server process before that apart as unexpected.
/// </summary>
internal sealed class ServerShutdown(Func<Task> stopAndCleanUp)
{
    private readonly Lazy<Task> _stopping = new(stopAndCleanUp);
    private volatile bool _requested;

    /// <summary>Logs "<paramref name="who"/> (pid N) exited unexpectedly with code C" if it exits before <see cref="RunAsync"/>.</summary>
    public void ReportUnexpectedExit(ChildProcess process, string who, Action<string> log) =>
        process.Exited.ContinueWith(exited =>
        {
            if (!_requested)
            {
                log($"{who} (pid {process.Pid}) exited unexpectedly with code {exited.Result}");
            }
        }, TaskScheduler.Default);

    public ValueTask RunAsync()
    {
        _requested = true;
        return new ValueTask(_stopping.Value);
    }
}
