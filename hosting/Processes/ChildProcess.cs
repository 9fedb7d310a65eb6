using System.ComponentModel;
using System.Diagnostics;

namespace HrmsAttendance.Hosting.Processes;

/// <summary>
/// A process this host started and is responsible for: its output is captured line by line, and it is
/// stopped with a signal, then killed with its whole tree if it does not exit in time.
/// Every started process is registered with <see cref="ChildProcessRegistry"/>, which stops whatever is
/// still running when the host exits (see the caveats there about SIGKILL).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int RecentOutputCapacity = 500;
    private const string SetsidPath = "/usr/bin/setsid";

    // Output pipes can outlive the process (a grandchild may inherit them); don't wait on them forever.
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly ChildProcessOptions _options;
    private readonly OutputRing _recentOutput = new(RecentOutputCapacity);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stopGate = new();
    private Task? _stopping;

    private ChildProcess(ChildProcessOptions options)
    {
        _options = options;
        _process = new Process { StartInfo = BuildStartInfo(options), EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnOutputLine(e.Data, options.Output);
        _process.ErrorDataReceived += (_, e) => OnOutputLine(e.Data, options.ErrorOutput ?? options.Output);
        _process.Exited += (_, _) => _ = CompleteExitedAsync();
    }

    public string Name => _options.Name;

    public int Pid { get; private set; }

    /// <summary>Completes with the exit code once the process has exited and its output has been read.</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => Exited.IsCompleted;

    public int? ExitCode => Exited.IsCompletedSuccessfully ? Exited.Result : null;

    /// <summary>The last lines (up to 500) the process wrote to stdout or stderr, oldest first.</summary>
    public IReadOnlyList<string> RecentOutput => _recentOutput.Snapshot();

    public static ChildProcess Start(ChildProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var child = new ChildProcess(options);
        // Registered before it starts, so that a process exiting at once is still unregistered after.
        ChildProcessRegistry.Add(child);
        try
        {
            child._process.Start();
        }
        catch
        {
            ChildProcessRegistry.Remove(child);
            throw;
        }
        child.Pid = child._process.Id;

        child._process.StandardInput.Close(); // nothing is ever typed to a child: it sees EOF, never our terminal
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Runs a short-lived command (initdb, apt-get, …) to completion and returns its output.
    /// Throws <see cref="InvalidOperationException"/> with the last output lines if it exits non-zero.
    /// On cancellation the command is stopped before the exception propagates.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunToCompletionAsync(ChildProcessOptions options, CancellationToken ct = default)
    {
        await using var child = Start(options);
        var exitCode = await child.Exited.WaitAsync(ct);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{options.Name}' exited with code {exitCode}.{child.RecentOutput.FormatTail()}");
        }
        return child.RecentOutput;
    }

    /// <summary>
    /// Sends the stop signal (default: <see cref="ChildProcessOptions.StopSignal"/>), waits up to the timeout
    /// (default: <see cref="ChildProcessOptions.StopTimeout"/>), then kills the process and its descendants.
    /// Safe to call many times and concurrently: later calls wait for the first one.
    /// </summary>
    public Task StopAsync(StopSignal? signal = null, TimeSpan? timeout = null)
    {
        lock (_stopGate)
        {
            return _stopping ??= StopCoreAsync(signal ?? _options.StopSignal, timeout ?? _options.StopTimeout);
        }
    }

    /// <summary>Waits up to <paramref name="wait"/> for the process to exit; true if it has.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan wait)
    {
        await Task.WhenAny(Exited, Task.Delay(wait));
        return HasExited;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    /// <summary>Sends the stop signal without waiting: used when the host itself is being signalled.</summary>
    internal void SignalStop()
    {
        if (IsRunning)
        {
            Libc.SendSignal(Pid, _options.StopSignal);
        }
    }

    private async Task StopCoreAsync(StopSignal signal, TimeSpan timeout)
    {
        if (!IsRunning || !Libc.SendSignal(Pid, signal))
        {
            await Exited;
            return;
        }

        var finished = await Task.WhenAny(Exited, Task.Delay(timeout));
        if (finished != Exited)
        {
            KillEntireTree();
            await Exited;
        }
    }

    /// <summary>False only inside <see cref="Start"/>, where the registry may already see it.</summary>
    internal bool IsStarted => Pid != 0;

    // Started and not yet reaped by .NET (waitpid): until then the pid cannot have been reused by another
    // process, so signalling it is safe.
    private bool IsRunning => IsStarted && !_process.HasExited;

    private void KillEntireTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It exited between the timeout and the kill.
        }
    }

    private async Task CompleteExitedAsync()
    {
        using (var drain = new CancellationTokenSource(OutputDrainTimeout))
        {
            try
            {
                await _process.WaitForExitAsync(drain.Token); // also waits for the output readers to hit EOF
            }
            catch (OperationCanceledException)
            {
                // A descendant still holds the pipes open; the process itself is gone.
            }
        }
        ChildProcessRegistry.Remove(this);
        _exited.TrySetResult(_process.ExitCode);
    }

    private void OnOutputLine(string? line, Action<string>? sink)
    {
        if (line is null)
        {
            return; // end of stream
        }
        _recentOutput.Add(line);
        try
        {
            sink?.Invoke(line);
        }
        catch
        {
            // A faulty log sink must not crash the host from a thread-pool thread.
        }
    }

    private static ProcessStartInfo BuildStartInfo(ChildProcessOptions options)
    {
        // While the host handles its own signals, a child runs in a session of its own (setsid(1) calls
        // setsid() and execs the program, so the pid stays the child's): a terminal's Ctrl+C, sent to the
        // whole foreground process group, then reaches only the host, which stops its children in order.
        var isolate = ChildProcessRegistry.HostHandlesSignals && File.Exists(SetsidPath);
        var startInfo = new ProcessStartInfo(isolate ? SetsidPath : options.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = options.WorkingDirectory,
        };
        if (isolate)
        {
            startInfo.ArgumentList.Add(options.FileName);
        }
        foreach (var argument in options.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }
        return startInfo;
    }
}
