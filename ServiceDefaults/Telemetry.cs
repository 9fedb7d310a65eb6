using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HrmsAttendance.ServiceDefaults;

/// <summary>
/// OpenTelemetry on the bare SDK. OpenTelemetry.Extensions.Hosting and the instrumentation
/// packages are not served here, so the providers are built by hand and fed by the
/// ActivitySources and Meters that ASP.NET Core, HttpClient, Npgsql and MassTransit emit on their own.
/// Export is over OTLP, and only when OTEL_EXPORTER_OTLP_ENDPOINT is set (Aspire's convention);
/// the service name comes from OTEL_SERVICE_NAME.
/// </summary>
public static class Telemetry
{
    /// <summary>The sources every service listens to; a service adds its own with <see cref="AddServiceActivitySource"/>.</summary>
    public static readonly string[] SharedActivitySources =
        ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", "MassTransit"];

    public static readonly string[] SharedMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime", "Npgsql", "MassTransit"];

    private sealed record ServiceSource(string Name);

    /// <summary>Adds a service's own ActivitySource/Meter name to what is exported.</summary>
    public static IServiceCollection AddServiceActivitySource(this IServiceCollection services, string name) =>
        services.AddSingleton(new ServiceSource(name));

    public static IHostApplicationBuilder ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
            return builder;

        // Reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES from the environment.
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.AddOtlpExporter();
        });

        builder.Services.AddSingleton(services =>
        {
            var sources = services.GetServices<ServiceSource>().Select(s => s.Name);
            return Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource([.. SharedActivitySources, .. sources])
                .AddOtlpExporter()
                .Build();
        });
        builder.Services.AddSingleton(services =>
        {
            var meters = services.GetServices<ServiceSource>().Select(s => s.Name);
            return Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter([.. SharedMeters, .. meters])
                .AddOtlpExporter()
                .Build();
        });
        // Nothing asks for the providers, so build them as the host starts (and the container
        // disposes them, which flushes pending spans, as it stops).
        builder.Services.AddHostedService<TelemetryStarter>();
        return builder;
    }

    private sealed class TelemetryStarter(TracerProvider tracer, MeterProvider meter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tracer);
            GC.KeepAlive(meter);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracer.ForceFlush(2000);
            meter.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// ASP.NET Core's own server span carries few attributes; the instrumentation package that
    /// would add them is not served, so this middleware adds the semantic-convention ones.
    /// </summary>
    public static WebApplication UseSpanEnrichment(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var activity = Activity.Current;
            if (activity is null)
            {
                await next(context);
                return;
            }
            activity.SetTag("http.request.method", context.Request.Method);
            activity.SetTag("url.path", context.Request.Path.Value);
            activity.SetTag("network.protocol.version", context.Request.Protocol.Replace("HTTP/", ""));
            activity.DisplayName = $"{context.Request.Method} {context.Request.Path}";
            await next(context);
            activity.SetTag("http.response.status_code", context.Response.StatusCode);
            if (context.Response.StatusCode >= 500)
                activity.SetStatus(ActivityStatusCode.Error);
        });
        return app;
    }
}
