using System.Diagnostics;

namespace HrmsAttendance.AppHost.Tests.Support;

/// <summary>
/// The browser of the screenshot tests is Debian's Chromium, never one Playwright downloads (the
/// machine reaches no browser download site). Installed with apt-get when missing and we are root,
/// as the other tests install the servers they need.
/// </summary>
public static class DebianChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static async Task<string> EnsureInstalledAsync()
    {
        if (File.Exists(ExecutablePath)) return ExecutablePath;
        await InstallGate.WaitAsync();
        try
        {
            if (File.Exists(ExecutablePath)) return ExecutablePath;
            if (Environment.UserName != "root")
                throw new InvalidOperationException($"{ExecutablePath} is missing: run `sudo apt-get install -y chromium`.");
            await RunAsync("apt-get", "update -q");
            await RunAsync("apt-get", "install -y -q chromium");
            return File.Exists(ExecutablePath) ? ExecutablePath : throw new InvalidOperationException("apt-get did not install chromium.");
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await error}{await output}");
    }
}
