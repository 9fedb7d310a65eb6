using System.Net;
using HrmsAttendance.AppHost.Dashboard.Api;
using HrmsAttendance.AppHost.Dashboard.Otlp;
using HrmsAttendance.AppHost.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.AppHost.Dashboard;

/// <summary>
/// The developer dashboard, hosted inside the AppHost process: resources, console logs, and the
/// traces, logs and metrics the services export over OTLP/HTTP. Stands in for the Aspire dashboard.
/// </summary>
public static class DashboardServer
{
    /// <summary>Binds, starts serving and returns once the port is open.</summary>
    public static async Task<RunningDashboard> StartAsync(DashboardOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.ResourceView);
        var port = LoopbackPort(options.Url);
        var state = new DashboardState(options);

        // The empty builder reads no appsettings or ASPNETCORE_* variables: the AppHost's own
        // configuration (ASPNETCORE_URLS and the like) must not move or reshape the dashboard.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddRoutingCore();
        // The AppHost owns Ctrl+C and SIGTERM; the default console lifetime would grab them.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddLogging(logging =>
        {
            if (options.ConfigureLogging is not null) options.ConfigureLogging(logging);
            else logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        });

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HrmsAttendance.AppHost.Dashboard");
        app.UseRouting();
        app.MapOtlpHttp(state, options.MaxOtlpBodyBytes, logger);
        app.MapDashboardApi(state);
        app.MapDashboardPages(state);

        await app.StartAsync(cancellationToken);

        // Kestrel writes the real port (for port 0) back into the server addresses.
        var bound = app.Urls.First();
        var url = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        state.BaseUrl = url.GetLeftPart(UriPartial.Authority);
        logger.LogInformation("Dashboard listening on {Url}", url);
        return new RunningDashboard(app, state, url);
    }

    /// <summary>
    /// Entry point for running the dashboard by hand (e.g. from a scratch Main): starts it,
    /// prints the URL and serves until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task RunAsync(DashboardOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await using var dashboard = await StartAsync(options, cancellationToken);
            Console.WriteLine($"Dashboard: {dashboard.Url} (OTLP/HTTP endpoint {dashboard.OtlpEndpoint})");
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The port of a loopback http URL; anything else is refused rather than exposed on the network.</summary>
    internal static int LoopbackPort(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            throw new ArgumentException($"Dashboard URL '{url}' must be an absolute http:// URL.", nameof(url));
        if (uri.Host is not ("127.0.0.1" or "localhost"))
            throw new ArgumentException($"Dashboard URL '{url}' must use 127.0.0.1 or localhost: the dashboard binds loopback only.", nameof(url));
        return uri.Port;
    }

    /// <summary>A host lifetime that does nothing: start and stop come from the AppHost only.</summary>
    private sealed class EmbeddedHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
