namespace HrmsAttendance.Hosting.Processes;

/// <summary>What to start and how to stop it. Arguments are passed as-is (no shell involved).</summary>
public sealed class ChildProcessOptions
{
    /// <summary>Short name used in error messages, e.g. "postgres" or "initdb".</summary>
    public required string Name { get; init; }

    /// <summary>Absolute path of the executable, or a name looked up on PATH.</summary>
    public required string FileName { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Added to (or, with a null value, removed from) the inherited environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Defaults to "/" so a process running as another OS user never starts in a directory it cannot read.</summary>
    public string WorkingDirectory { get; init; } = "/";

    /// <summary>Receives every stdout and stderr line, from thread-pool threads. Exceptions it throws are swallowed.</summary>
    public Action<string>? Output { get; init; }

    /// <summary>
    /// When set, receives the stderr lines instead of <see cref="Output"/> (which then gets stdout only), so that
    /// a log view can tell the two streams apart. Same threading and exception rules as <see cref="Output"/>.
    /// </summary>
    public Action<string>? ErrorOutput { get; init; }

    /// <summary>Sent by <see cref="ChildProcess.StopAsync"/> and forwarded when this process is signalled.</summary>
    public StopSignal StopSignal { get; init; } = StopSignal.Terminate;

    /// <summary>How long <see cref="ChildProcess.StopAsync"/> waits after the signal before killing the process tree.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
