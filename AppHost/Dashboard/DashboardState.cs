using HrmsAttendance.AppHost.Dashboard.Otlp;
using HrmsAttendance.AppHost.Dashboard.Pages;
using HrmsAttendance.AppHost.Dashboard.Telemetry;
using HrmsAttendance.AppHost.Dashboard.Traces;

namespace HrmsAttendance.AppHost.Dashboard;

/// <summary>Everything one running dashboard holds; shared by the receiver, the pages and the API.</summary>
internal sealed class DashboardState(DashboardOptions options)
{
    public DashboardOptions Options { get; } = options;
    public IResourceView Resources { get; } = options.ResourceView;
    public TraceStore Traces { get; } = new(options.MaxSpans, options.MaxTraces);
    public StructuredLogStore StructuredLogs { get; } = new(options.MaxStructuredLogs);
    public MetricsCounter Metrics { get; } = new();
    public OtlpReceiverCounters Counters { get; } = new();
    public ServiceColors Colors { get; } = new();

    /// <summary>The bound base URL without a trailing slash; set once Kestrel has started.</summary>
    public string BaseUrl { get; set; } = "";
}
