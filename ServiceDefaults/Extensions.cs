using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace HrmsAttendance.ServiceDefaults;

/// <summary>
/// What every service shares, in the shape of the Aspire template's ServiceDefaults: OpenTelemetry (exported over
/// OTLP when the AppHost sets <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), health endpoints, service discovery and the
/// standard resilience handler on every HttpClient. A service calls <see cref="AddServiceDefaults"/> and
/// <see cref="MapDefaultEndpoints"/> and repeats none of it.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    /// <summary>Sources every service exports besides ASP.NET Core, HttpClient and gRPC client spans.</summary>
    private static readonly string[] SharedSources = ["MassTransit"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(SharedSources))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(SharedSources)
                // Probes of /health and /alive come every few seconds from the AppHost: tracing them would bury the
                // real requests in the dashboard's trace list.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsProbe(context.Request.Path))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = request =>
                    request.RequestUri is not { } uri || !IsProbe(uri.AbsolutePath))
                // Before the exporter (added below): no query value, a token perhaps, leaves the process.
                .AddProcessor(new QueryRedaction()));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().UseOtlpExporter();

        return builder;
    }

    /// <summary>Exports a service's own ActivitySource and Meter of that name as well.</summary>
    public static IServiceCollection AddServiceActivitySource(this IServiceCollection services, string name)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(name));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(name));
        return services;
    }

    /// <summary>
    /// <c>/alive</c>: the process answers (liveness). <c>/health</c>: every registered check, dependencies included,
    /// passes (readiness).
    /// </summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> and <c>/alive</c> in every environment: the AppHost waits on them, and the services listen
    /// on loopback only. Each answers with a JSON report (overall status and each check's). Anonymous, also where every
    /// other endpoint needs a token: probes carry none, and the reports name checks, not data.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }

    /// <summary>A connection string by name (<c>ConnectionStrings__&lt;name&gt;</c>), or a clear error.</summary>
    public static string GetRequiredConnectionString(this IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Connection string '{name}' is missing: set ConnectionStrings__{name}.");

    /// <summary>
    /// Outside Development no secret has a default: the connection string <paramref name="name"/> must be configured
    /// (<c>ConnectionStrings__&lt;name&gt;</c>) and carry its password, or the process stops at start-up with a message
    /// naming the setting, instead of starting and failing at its first query (Aspire's clients read the connection string
    /// lazily) or logging in without a password. In Development the AppHost hands every connection string over.
    /// </summary>
    /// <param name="password">Reads the password from the connection string (null or empty when it has none).</param>
    public static void RequireConnectionStringPassword(this IHostApplicationBuilder builder, string name, Func<string, string?> password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (builder.Environment.IsDevelopment()) return;
        var setting = $"ConnectionStrings:{name} (environment variable ConnectionStrings__{name})";
        var value = builder.Configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException(
                $"Configuration {setting} is missing; outside Development no secret has a default ({builder.Environment.EnvironmentName}).");
        string? secret;
        try { secret = password(value); }
        catch (ArgumentException)
        {
            // Not the parser's message: it may quote the connection string, password included.
            throw new InvalidOperationException($"Configuration {setting} is not a valid connection string.");
        }
        if (string.IsNullOrEmpty(secret))
            throw new InvalidOperationException(
                $"Configuration {setting} has no password; outside Development every login is configured with its password ({builder.Environment.EnvironmentName}).");
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);
}
