using HrmsAttendance.AppHost.Dashboard.Otlp;
using HrmsAttendance.AppHost.Dashboard.Telemetry;
using HrmsAttendance.AppHost.Dashboard.Traces;
using Microsoft.AspNetCore.Builder;

namespace HrmsAttendance.AppHost.Dashboard;

/// <summary>A started dashboard: where it listens, what it has received. Dispose to stop it.</summary>
public sealed class RunningDashboard : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DashboardState _state;
    private int _disposed;

    internal RunningDashboard(WebApplication app, DashboardState state, Uri url)
    {
        _app = app;
        _state = state;
        Url = url;
    }

    /// <summary>The bound address with the real port, e.g. http://127.0.0.1:18888/.</summary>
    public Uri Url { get; }

    /// <summary>
    /// The value for a service's OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL=
    /// http/protobuf the SDK appends /v1/traces, /v1/logs, /v1/metrics itself).
    /// </summary>
    public string OtlpEndpoint => _state.BaseUrl;

    public TraceStore Traces => _state.Traces;
    public StructuredLogStore StructuredLogs => _state.StructuredLogs;
    public MetricsCounter Metrics => _state.Metrics;
    public OtlpReceiverCounters OtlpCounters => _state.Counters;

    /// <summary>Stops listening (idempotent).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
