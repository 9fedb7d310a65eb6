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
/// <para>
/// A host that wants an orderly shutdown (the AppHost stops its services first, then the servers they use)
/// calls <see cref="HandleSignalsInHost"/> before starting children: while that is in force, signals are not
/// forwarded, and children start in a session of their own so a terminal's Ctrl+C reaches only the host. The
/// host must then stop its children itself; ProcessExit still stops whatever is left.
/// </para>
/// </summary>
public static class ChildProcessRegistry
{
    private static readonly ConcurrentDictionary<ChildProcess, byte> Running = new();
    private static readonly Lock HookGate = new();
    private static readonly List<PosixSignalRegistration> SignalHooks = []; // kept referenced so they stay registered
    private static bool _hooked;
    private static int _hostHandlesSignals;

    /// <summary>True while a <see cref="HandleSignalsInHost"/> scope is open.</summary>
    public static bool HostHandlesSignals => Volatile.Read(ref _hostHandlesSignals) > 0;

    /// <summary>
    /// Until the returned scope is disposed: SIGINT, SIGTERM, SIGQUIT and SIGHUP are no longer forwarded to the
    /// children (the host handles them and stops its children in its own order), and children started meanwhile
    /// run in their own session (via <c>setsid</c>), out of reach of a terminal's Ctrl+C to the process group.
    /// </summary>
    public static IDisposable HandleSignalsInHost()
    {
        HookHostShutdownOnce();
        Interlocked.Increment(ref _hostHandlesSignals);
        return new SignalScope();
    }

    private sealed class SignalScope : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref _hostHandlesSignals);
            }
        }
    }

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
        if (HostHandlesSignals)
        {
            return;
        }
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
