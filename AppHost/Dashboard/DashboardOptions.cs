using HrmsAttendance.AppHost.Dashboard.Telemetry;
using HrmsAttendance.AppHost.Dashboard.Traces;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.AppHost.Dashboard;

/// <summary>How <see cref="DashboardServer.StartAsync"/> runs the dashboard.</summary>
public sealed class DashboardOptions
{
    public const string DefaultUrl = "http://127.0.0.1:18888";
    public const long DefaultMaxOtlpBodyBytes = 8 * 1024 * 1024;

    /// <summary>
    /// Where the pages, the JSON API and the OTLP/HTTP receiver listen. Plain http on a loopback
    /// host (127.0.0.1 or localhost, both bound as 127.0.0.1 only); port 0 picks a free port,
    /// read the real one from <see cref="RunningDashboard.Url"/>.
    /// </summary>
    public string Url { get; init; } = DefaultUrl;

    /// <summary>The resources and their console output, as the launcher sees them.</summary>
    public required IResourceView ResourceView { get; init; }

    public int MaxSpans { get; init; } = TraceStore.DefaultMaxSpans;
    public int MaxTraces { get; init; } = TraceStore.DefaultMaxTraces;
    public int MaxStructuredLogs { get; init; } = StructuredLogStore.DefaultMaxRecords;

    /// <summary>How many console lines a logs page asks the resource view for.</summary>
    public int MaxConsoleLines { get; init; } = 1_000;

    /// <summary>Bound of one OTLP request body, before and after gzip decompression (413 past it).</summary>
    public long MaxOtlpBodyBytes { get; init; } = DefaultMaxOtlpBodyBytes;

    /// <summary>The dashboard's own ASP.NET Core logging; by default warnings and errors go to the console.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
