using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace HrmsAttendance.Hosting.Processes;

/// <summary>
/// Every running <see cref="ChildProcess"/>, so that none outlives the host:
/// <list type="bullet">
/// <item>When the host exits normally (Main returns, Environment.Exit, or a generic host finishes its own
/// Ctrl+C/SIGTERM shutdown), <see cref="AppDomain.ProcessExit"/> stops every child that is still running and
/// waits for them.</item>
/// <item>When the host receives SIGINT, SIGTERM, SIGQUIT or SIGHUP, each child is sent its own stop signal
/// right away. .NET does not raise ProcessExit when such a signal terminates the process, and the order in
/// which signal handlers run is unspecified, so we cannot know whether someone else will cancel the signal;
/// forwarding it is what a terminal's Ctrl+C does to the whole process group anyway.
/// We never cancel the signal ourselves.</item>
/// </list>
/// SIGKILL of the host (or a crash) cannot be caught: children then keep running until something else stops
/// them. A watchdog that closes that gap is planned separately.
/// </summary>
public static class ChildProcessRegistry
{
    private static readonly ConcurrentDictionary<ChildProcess, byte> Running = new();
    private static readonly Lock HookGate = new();
    private static readonly List<PosixSignalRegistration> SignalHooks = []; // kept referenced so they stay registered
    private static bool _hooked;

    /// <summary>The children started by this host that have not exited yet.</summary>
    public static IReadOnlyCollection<ChildProcess> RunningChildren => [.. Running.Keys.Where(child => child.IsStarted)];

    internal static void Add(ChildProcess child)
    {
        HookHostShutdownOnce();
        Running.TryAdd(child, 0);
    }

    internal static void Remove(ChildProcess child) => Running.TryRemove(child, out _);

    private static void HookHostShutdownOnce()
    {
        lock (HookGate)
        {
            if (_hooked)
            {
                return;
            }
            _hooked = true;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllAndWait();
            if (!OperatingSystem.IsWindows())
            {
                foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
                {
                    SignalHooks.Add(PosixSignalRegistration.Create(signal, _ => SignalAll()));
                }
            }
        }
    }

    private static void SignalAll()
    {
        foreach (var child in Running.Keys)
        {
            child.SignalStop();
        }
    }

    private static void StopAllAndWait()
    {
        var stops = Running.Keys.Where(child => child.IsStarted).Select(child => child.StopAsync()).ToArray();
        // Each stop is bounded by its own timeout followed by a kill; this is a backstop, not the policy.
        Task.WhenAll(stops).Wait(TimeSpan.FromSeconds(30));
    }
}
