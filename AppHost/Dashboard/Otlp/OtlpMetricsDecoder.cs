using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Metrics.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Metrics.V1;

namespace HrmsAttendance.AppHost.Dashboard.Otlp;

/// <summary>ExportMetricsServiceRequest → per service, each metric's name and data point count.</summary>
internal static class OtlpMetricsDecoder
{
    public static IEnumerable<(string Service, List<(string MetricName, int DataPoints)> Metrics)> Decode(ExportMetricsServiceRequest request)
    {
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var metrics = resourceMetrics.ScopeMetrics
                .SelectMany(s => s.Metrics)
                .Select(m => (m.Name, DataPointsOf(m)))
                .ToList();
            yield return (OtlpValues.ServiceName(resourceMetrics.Resource), metrics);
        }
    }

    private static int DataPointsOf(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };
}
