using System.Runtime.InteropServices;

namespace HrmsAttendance.Hosting.Processes;

/// <summary>The one libc call .NET does not expose: sending an arbitrary signal to a pid.</summary>
internal static class Libc
{
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if the process is already gone.</summary>
    public static bool SendSignal(int pid, StopSignal signal) => Kill(pid, (int)signal) == 0;
}
