using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HrmsAttendance.Hosting.LocalServers.Tests;

internal static class ResourceLogs
{
    /// <summary>Copies every resource's log lines to the test output (until the app stops).</summary>
    public static void ForwardTo(DistributedApplication app, ITestOutputHelper output)
    {
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var resource in model.Resources)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in loggers.WatchAsync(resource))
                    {
                        foreach (var line in batch)
                        {
                            try { output.WriteLine($"[{resource.Name}] {line.Content}"); } catch (InvalidOperationException) { return; }
                        }
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                }
            });
        }
    }
}
