using System.Diagnostics;

namespace HrmsAttendance.AppHost.Tests.Support;

/// <summary>
/// The browser of the screenshot tests is Debian's Chromium, never one Playwright downloads (the
/// machine reaches no browser download site), with a CJK font (fonts-wqy-microhei: the web app's pages are Chinese by
/// default, and without one every character is a box in the screenshots). Installed with apt-get when missing and we
/// are root, as the other tests install the servers they need.
/// </summary>
public static class DebianChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";
    public const string ChineseFontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

    public static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static async Task<string> EnsureInstalledAsync()
    {
        static bool Installed() => File.Exists(ExecutablePath) && File.Exists(ChineseFontPath);
        if (Installed()) return ExecutablePath;
        await InstallGate.WaitAsync();
        try
        {
            if (Installed()) return ExecutablePath;
            if (Environment.UserName != "root")
                throw new InvalidOperationException($"{ExecutablePath} or {ChineseFontPath} is missing: run `sudo apt-get install -y chromium fonts-wqy-microhei`.");
            await RunAsync("apt-get", "update -q");
            await RunAsync("apt-get", "install -y -q chromium fonts-wqy-microhei");
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
