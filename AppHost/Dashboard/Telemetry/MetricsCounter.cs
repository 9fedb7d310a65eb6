using System.Collections.Concurrent;

namespace HrmsAttendance.AppHost.Dashboard.Telemetry;

/// <summary>
/// OTLP metrics are accepted and counted, not stored or charted: per service, how many export
/// requests and data points arrived, and the names of the metrics seen (bounded).
/// </summary>
public sealed class MetricsCounter
{
    private const int MaxNamesPerService = 500;
    private readonly ConcurrentDictionary<string, ServiceMetrics> _byService = new(StringComparer.Ordinal);

    public void Record(string serviceName, IEnumerable<(string MetricName, int DataPoints)> metrics)
    {
        var service = _byService.GetOrAdd(serviceName, name => new ServiceMetrics(name));
        lock (service)
        {
            service.ExportedBatches++;
            foreach (var (name, points) in metrics)
            {
                service.DataPoints += points;
                if (service.Names.Count < MaxNamesPerService) service.Names.Add(name);
            }
        }
    }

    public IReadOnlyList<ServiceMetricsSnapshot> Snapshot() =>
        _byService.Values
            .Select(s => { lock (s) return new ServiceMetricsSnapshot(s.Name, s.ExportedBatches, s.DataPoints, s.Names.Order(StringComparer.Ordinal).ToList()); })
            .OrderBy(s => s.ServiceName, StringComparer.Ordinal)
            .ToList();

    private sealed class ServiceMetrics(string name)
    {
        public string Name { get; } = name;
        public long ExportedBatches { get; set; }
        public long DataPoints { get; set; }
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
    }
}

/// <param name="ExportedBatches">ResourceMetrics blocks received for the service (one per export per process).</param>
public sealed record ServiceMetricsSnapshot(string ServiceName, long ExportedBatches, long DataPoints, IReadOnlyList<string> MetricNames);
