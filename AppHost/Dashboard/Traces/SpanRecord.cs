namespace HrmsAttendance.AppHost.Dashboard.Traces;

/// <summary>One finished span as the dashboard keeps it: decoded from OTLP, ids as lowercase hex.</summary>
/// <param name="ParentSpanId">Null for a root span.</param>
/// <param name="Kind">OTLP's span kind by name: Internal, Server, Client, Producer, Consumer or Unspecified.</param>
/// <param name="ServiceName">The resource's service.name ("unknown_service" when absent).</param>
/// <param name="ResourceAttributes">The attributes of the process that sent the span.</param>
public sealed record SpanRecord(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    string ServiceName,
    string ScopeName,
    ulong StartUnixNano,
    ulong EndUnixNano,
    IReadOnlyList<SpanAttribute> Attributes,
    IReadOnlyList<SpanAttribute> ResourceAttributes,
    SpanStatus Status,
    string? StatusMessage,
    IReadOnlyList<SpanEvent> Events)
{
    public DateTimeOffset Start => UnixNano.ToDateTimeOffset(StartUnixNano);

    /// <summary>Zero when the sender reported an end before the start.</summary>
    public TimeSpan Duration => UnixNano.Between(StartUnixNano, EndUnixNano);

    public string? FindAttribute(string key) => Attributes.FirstOrDefault(a => a.Key == key)?.Value;
}

/// <summary>An attribute with its value already rendered as text (arrays as [a, b]).</summary>
public sealed record SpanAttribute(string Key, string Value);

public sealed record SpanEvent(string Name, ulong TimeUnixNano, IReadOnlyList<SpanAttribute> Attributes)
{
    public DateTimeOffset Time => UnixNano.ToDateTimeOffset(TimeUnixNano);
}

/// <summary>Mirrors OTLP's Status.StatusCode.</summary>
public enum SpanStatus { Unset, Ok, Error }

/// <summary>OTLP timestamps are nanoseconds since the Unix epoch; .NET ticks are 100 ns.</summary>
public static class UnixNano
{
    public static DateTimeOffset ToDateTimeOffset(ulong unixNano) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)Math.Min(unixNano / 100, (ulong)(DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks)));

    public static TimeSpan Between(ulong startUnixNano, ulong endUnixNano) =>
        endUnixNano > startUnixNano ? TimeSpan.FromTicks((long)((endUnixNano - startUnixNano) / 100)) : TimeSpan.Zero;

    public static ulong From(DateTimeOffset time) => (ulong)(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
