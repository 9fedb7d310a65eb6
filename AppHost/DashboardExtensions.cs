using System.Net.Sockets;
using HrmsAttendance.AppHost.Dashboard;
using HrmsAttendance.Hosting;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.AppHost;

/// <summary><c>builder.AddDashboard()</c>: the developer dashboard (AppHost/Dashboard) for this application.</summary>
public static class DashboardExtensions
{
    /// <summary>
    /// Starts the dashboard before any resource, on 127.0.0.1:<c>--dashboard-port</c> (18888 by default), showing
    /// the resources and their console logs; unless an outside OTLP endpoint was given
    /// (<c>--otlp-endpoint</c> / <c>APPHOST_OTLP_ENDPOINT</c>), services export their telemetry to it.
    /// </summary>
    public static IDistributedApplicationBuilder AddDashboard(this IDistributedApplicationBuilder builder)
    {
        builder.AddLifecycleHook(new DashboardHook());
        return builder;
    }

    /// <summary>The running dashboard (traces, logs, metrics it received).</summary>
    public static RunningDashboard GetDashboard(this DistributedApplication app) =>
        app.GetLifecycleHook<DashboardHook>()?.Dashboard
            ?? throw new InvalidOperationException("No dashboard: the AppHost did not call AddDashboard(), or the application has not started.");
}

internal sealed class DashboardHook : IDistributedApplicationLifecycleHook
{
    public RunningDashboard? Dashboard { get; private set; }

    public async Task BeforeStartAsync(DistributedApplicationContext context, CancellationToken ct)
    {
        var url = $"http://127.0.0.1:{context.Options.DashboardPort}";
        try
        {
            Dashboard = await DashboardServer.StartAsync(new DashboardOptions
            {
                Url = url,
                ResourceView = new DashboardResourceView(context.ResourceNotifications, context.ResourceLogs),
                // The dashboard's default (warnings on the console), minus the generic host's start failure: a port
                // in use is reported below in one line instead of a stack trace.
                ConfigureLogging = logging => logging
                    .AddSimpleConsole(console => console.SingleLine = true)
                    .SetMinimumLevel(LogLevel.Warning)
                    .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None),
            }, ct);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The dashboard cannot listen on {url}: the port is in use (is another AppHost running?). " +
                "Stop it, or pick another port with --dashboard-port N (0 = any free port).", e);
        }
        context.OtlpEndpoint ??= Dashboard.OtlpEndpoint;
        context.AddUrl("Dashboard", Dashboard.Url);
    }

    public async Task AfterStopAsync(DistributedApplicationContext context)
    {
        if (Dashboard is not null) await Dashboard.DisposeAsync();
    }
}
