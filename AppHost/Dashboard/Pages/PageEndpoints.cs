using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>
/// The HTML routes: whole pages, and the /partials/* fragments their live parts re-fetch.
/// Every page carries a Content-Security-Policy whose script nonce changes per response, so a
/// &lt;script&gt; that slipped into the markup would not run even if encoding ever failed.
/// </summary>
internal static class PageEndpoints
{
    public static void MapDashboardPages(this IEndpointRouteBuilder endpoints, DashboardState state)
    {
        endpoints.MapGet("/", context =>
            PageAsync(context, state, "Resources", NavSection.Resources, ResourcesPage.Body(state)));
        endpoints.MapGet("/partials/resources", context =>
            FragmentAsync(context, ResourcesPage.Live(state)));

        endpoints.MapGet("/logs/{resource}", context =>
        {
            var resource = FindResource(state, context);
            var search = Query(context, "search");
            return resource is null
                ? NotFoundAsync(context, state, "Resource not found", $"No resource is named “{context.Request.RouteValues["resource"]}”.")
                : PageAsync(context, state, $"{resource.Name} console", NavSection.ConsoleLogs, ConsoleLogsPage.Body(state, resource, search), resource.Name);
        });
        endpoints.MapGet("/partials/logs/{resource}", context =>
        {
            var resource = FindResource(state, context);
            if (resource is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return FragmentAsync(context, ConsoleLogsPage.Lines(state, resource.Name, Query(context, "search")));
        });

        endpoints.MapGet("/traces", context =>
            PageAsync(context, state, "Traces", NavSection.Traces, TracesPage.Body(state, Query(context, "service"), MinMs(context))));
        endpoints.MapGet("/partials/traces", context =>
            FragmentAsync(context, TracesPage.Live(state, Query(context, "service"), MinMs(context))));
        endpoints.MapGet("/traces/{traceId}", context =>
        {
            var traceId = (string)context.Request.RouteValues["traceId"]!;
            var trace = state.Traces.GetTrace(traceId);
            return trace is null
                ? NotFoundAsync(context, state, "Trace not found", $"Trace {traceId} was never received, or was evicted to keep the store bounded.")
                : PageAsync(context, state, $"Trace {trace.Summary.RootSpanName}", NavSection.Traces, TraceDetailPage.Body(state, trace));
        });

        endpoints.MapGet("/structured", context =>
            PageAsync(context, state, "Structured logs", NavSection.StructuredLogs,
                StructuredLogsPage.Body(state, Query(context, "service"), Query(context, "search"))));
        endpoints.MapGet("/partials/structured", context =>
            FragmentAsync(context, StructuredLogsPage.Live(state, Query(context, "service"), Query(context, "search"))));

        endpoints.MapGet("/metrics", context =>
            PageAsync(context, state, "Metrics", NavSection.Metrics, MetricsPage.Body(state)));
    }

    private static ResourceSnapshot? FindResource(DashboardState state, HttpContext context)
    {
        var name = (string?)context.Request.RouteValues["resource"];
        return state.Resources.GetResources().FirstOrDefault(r => r.Name == name);
    }

    private static string? Query(HttpContext context, string name)
    {
        var value = context.Request.Query[name].ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static double? MinMs(HttpContext context) =>
        double.TryParse(Query(context, "minMs"), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms > 0 && double.IsFinite(ms) ? ms : null;

    private static Task PageAsync(HttpContext context, DashboardState state, string title, NavSection section, Markup body, string? activeResource = null)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Response.Headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return WriteHtmlAsync(context, PageLayout.Render(state, title, section, body, nonce, activeResource));
    }

    private static Task FragmentAsync(HttpContext context, Markup fragment) => WriteHtmlAsync(context, fragment.Value);

    private static Task NotFoundAsync(HttpContext context, DashboardState state, string title, string message)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        var body = Html.H($"""<h1>{title}</h1><div class="panel"><div class="empty">{message}</div></div>""");
        var section = context.Request.Path.StartsWithSegments("/traces") ? NavSection.Traces : NavSection.ConsoleLogs;
        return PageAsync(context, state, title, section, body);
    }

    private static Task WriteHtmlAsync(HttpContext context, string html)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }
}
