namespace HrmsAttendance.GrpcWire.Server;

/// <summary>
/// What one application has mapped (a DI singleton): lets the catch-all endpoint tell "unknown method"
/// from "unknown service", and maps the catch-all and the health service only once.
/// </summary>
internal sealed class GrpcServiceRegistry
{
    private readonly HashSet<string> services = new(StringComparer.Ordinal);
    private readonly HashSet<string> methods = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public bool UnimplementedEndpointMapped { get; set; }
    public bool HealthServiceMapped { get; set; }

    public void Add(BoundMethod method)
    {
        lock (gate)
        {
            if (!methods.Add(method.FullName))
                throw new InvalidOperationException($"gRPC method {method.FullName} is mapped twice.");
            services.Add(method.ServiceName);
        }
    }

    public bool IsKnownService(string serviceName)
    {
        lock (gate) return services.Contains(serviceName);
    }
}
